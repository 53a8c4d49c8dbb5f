// Catalogue (docs/graph-breaks.md): a call through a function pointer is
// inlined when the pointer is known at export time (a function name, a
// constant); otherwise it is an error.
#include <xport.h>

typedef xp_tensor *(*act_fn)(xp_tensor *);

static xp_tensor *act_relu(xp_tensor *x) { return xp_relu(x); }

act_fn g_act = act_relu; // expected-note {{call the function by name, or make the pointer a constant (a function name or a 'static const' function pointer)}}
static act_fn const k_act = act_relu;

typedef struct {
    #pragma xport param(f32[4])
    xp_tensor *w;
    act_fn act;
} Model;

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *through_global(xp_tensor *x) {
    return g_act(x); // expected-error {{call through 'g_act' cannot be captured: the function it points to is not known at export time}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *through_model(const Model *m, xp_tensor *x) {
    return m->act(xp_mul(x, m->w)); // expected-error {{call through 'm->act' cannot be captured: the function it points to is not known at export time}} \
                                       expected-note {{call the function by name}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *through_null(xp_tensor *x) {
    act_fn f = 0;
    return f(x); // expected-error {{call through 'f' cannot be captured}} \
                    expected-note {{call the function by name}}
}

// Known at export time: captured.
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *through_constant(xp_tensor *x) {
    act_fn f = act_relu;
    return k_act(f(x));
}

static xp_tensor *apply(xp_tensor *(*f)(xp_tensor *), xp_tensor *x) { return f(x); }

// Passed down as a function name: known, captured.
#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *passed_by_name(xp_tensor *x) {
    return apply(act_relu, x);
}

static xp_tensor *apply_model(const Model *m, xp_tensor *x) {
    return m->act(x); // expected-error {{call through 'm->act' cannot be captured}} \
                         expected-note {{call the function by name}}
}

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *pointer_in_helper(const Model *m, xp_tensor *x) {
    return xp_mul(apply_model(m, x), m->w); // expected-note {{in call from 'pointer_in_helper'}}
}
