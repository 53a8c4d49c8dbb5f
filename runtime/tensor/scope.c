/*
 * Arena scopes for eager intermediates.
 *
 * Each thread has a stack of scopes; a tensor header created while a scope
 * is open joins the innermost one (a doubly linked list through the
 * header). Popping a scope frees every tensor still in it. Scopes are
 * per-thread: a scoped tensor must be freed or kept on the thread that
 * created it.
 */
#include "tensor/xp_tensor_impl.h"

#include <stdio.h>
#include <stdlib.h>

struct xp_scope {
    struct xp_scope *parent;
    xp_tensor *head;
};

static _Thread_local xp_scope *innermost;

xp_scope *xp_scope_push(void) {
    xp_scope *s = xp_calloc(1, sizeof *s);
    if (!s) return NULL;
    s->parent = innermost;
    innermost = s;
    return s;
}

static void link_into(xp_scope *s, xp_tensor *t) {
    t->scope = s;
    t->scope_prev = NULL;
    t->scope_next = s->head;
    if (s->head) s->head->scope_prev = t;
    s->head = t;
}

void xp_scope_adopt(xp_tensor *t) {
    if (t && innermost && !t->scope) link_into(innermost, t);
}

void xp_scope_disown(xp_tensor *t) {
    if (!t || !t->scope) return;
    xp_scope *s = t->scope;
    if (t->scope_prev) t->scope_prev->scope_next = t->scope_next;
    else s->head = t->scope_next;
    if (t->scope_next) t->scope_next->scope_prev = t->scope_prev;
    t->scope = NULL;
    t->scope_prev = t->scope_next = NULL;
}

/* Frees the innermost scope and every tensor left in it. */
static void pop_innermost(void) {
    xp_scope *s = innermost;
    innermost = s->parent;
    xp_tensor *t = s->head;
    while (t) {
        xp_tensor *next = t->scope_next;
        t->scope = NULL; /* already unlinked in bulk */
        xp_tensor_free(t);
        t = next;
    }
    free(s);
}

/* Pops `scope`, freeing every tensor created in it that was not kept or
 * freed. Scopes are LIFO: popping a scope that is not the innermost is a
 * usage error, reported on stderr; the scopes opened inside it (still open)
 * are popped first, with their tensors, so nothing leaks. A scope that is
 * not open on this thread (already popped, or NULL after a failed push) is
 * reported and ignored. */
void xp_scope_pop(xp_scope *scope) {
    if (!scope) return;
    int inner = 0;
    xp_scope *s = innermost;
    while (s && s != scope) {
        s = s->parent;
        inner++;
    }
    if (!s) {
        fprintf(stderr, "xport: xp_scope_pop: scope %p is not open on this thread; ignored\n", (void *)scope);
        return;
    }
    if (inner > 0)
        fprintf(stderr,
                "xport: xp_scope_pop: scope %p popped with %d inner scope%s still open; popping %s too "
                "(scopes must be popped in LIFO order)\n",
                (void *)scope, inner, inner == 1 ? "" : "s", inner == 1 ? "it" : "them");
    while (innermost != scope) pop_innermost();
    pop_innermost();
}

void xp_scope_unwind_inner(xp_scope *scope) {
    xp_scope *s = innermost;
    while (s && s != scope) s = s->parent;
    if (!s) return;
    while (innermost != scope) pop_innermost();
}

xp_tensor *xp_keep(xp_tensor *t) {
    if (!t || !t->scope) return t;
    xp_scope *parent = t->scope->parent;
    xp_scope_disown(t);
    if (parent) link_into(parent, t);
    return t;
}
