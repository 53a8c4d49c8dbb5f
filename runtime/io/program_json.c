/*
 * The .xpg file: an exported program as versioned JSON (docs/program-format.md).
 *
 * Written and read with jansson. The reader never trusts the file: every
 * node is rebuilt through the graph builder, so argument kinds are checked
 * against the op's schema and output types are re-inferred by the op's
 * shape function; the types the file stores must agree. Every rejection
 * names the JSON path of the offending entry ("nodes[3].args[1]: unknown
 * value 'add_7'"), and the finished program is verified before it is
 * handed out.
 */
#include "io/xp_io.h"
#include "ir/ir_internal.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_TAG "xport.program"
#define MAX_FILE_BYTES ((size_t)1 << 30)
#define PATH_LEN 1024

/* ================================================================ writing */

typedef struct writer {
    const xp_program *p;
    bool ok; /* false once any allocation failed */
} writer;

static json_t *w_chk(writer *w, json_t *j) {
    if (!j) w->ok = false;
    return j;
}

static void w_set(writer *w, json_t *obj, const char *key, json_t *v) {
    if (!obj || json_object_set_new(obj, key, v) != 0) w->ok = false;
}

static void w_push(writer *w, json_t *arr, json_t *v) {
    if (!arr || json_array_append_new(arr, v) != 0) w->ok = false;
}

static json_t *w_str(writer *w, const char *s) { return w_chk(w, s ? json_string(s) : json_null()); }

static json_t *w_dim(writer *w, xp_dim d) {
    if (!xp_dim_is_sym(d)) return w_chk(w, json_integer((json_int_t)d));
    xp_sb sb = {0};
    xp_sb_dim(&sb, w->p->syms, d);
    json_t *j = sb.oom ? NULL : json_string(xp_sb_str(&sb));
    xp_sb_free(&sb);
    return w_chk(w, j);
}

static json_t *w_shape(writer *w, const xp_meta *m) {
    json_t *a = w_chk(w, json_array());
    for (int d = 0; d < m->ndim; d++) w_push(w, a, w_dim(w, m->shape[d]));
    return a;
}

/* {"name", "dtype", "shape"} */
static json_t *w_typed_value(writer *w, const xp_value *v) {
    json_t *o = w_chk(w, json_object());
    w_set(w, o, "name", w_str(w, v->name));
    w_set(w, o, "dtype", w_str(w, xp_dtype_name(v->meta.dtype)));
    w_set(w, o, "shape", w_shape(w, &v->meta));
    return o;
}

static json_t *w_float(writer *w, double f) {
    if (isnan(f)) return w_str(w, "nan");
    if (isinf(f)) return w_str(w, f > 0 ? "inf" : "-inf");
    return w_chk(w, json_real(f));
}

static json_t *w_arg(writer *w, const xp_graph *g, const xp_narg *a) {
    if (a->kind == XP_ARG_NONE) return w_chk(w, json_null());
    json_t *o = w_chk(w, json_object()), *v = NULL;
    const char *key = "?";
    switch (a->kind) {
    case XP_ARG_TENSOR:
        key = "tensor";
        v = w_str(w, g->values[a->value].name);
        break;
    case XP_ARG_TENSOR_LIST:
        key = "tensors";
        v = w_chk(w, json_array());
        for (int k = 0; k < a->vl.n; k++) w_push(w, v, w_str(w, g->values[a->vl.v[k]].name));
        break;
    case XP_ARG_INT:
        key = "int";
        v = w_dim(w, a->i);
        break;
    case XP_ARG_INT_LIST:
        key = "ints";
        v = w_chk(w, json_array());
        for (int k = 0; k < a->il.n; k++) w_push(w, v, w_dim(w, a->il.v[k]));
        break;
    case XP_ARG_FLOAT:
        key = "float";
        v = w_float(w, a->f);
        break;
    case XP_ARG_BOOL:
        key = "bool";
        v = w_chk(w, json_boolean(a->b));
        break;
    case XP_ARG_DTYPE:
        key = "dtype";
        v = w_str(w, xp_dtype_name(a->dt));
        break;
    default: w->ok = false; break;
    }
    w_set(w, o, key, v);
    return o;
}

static json_t *w_loc(writer *w, xp_srcloc loc) {
    if (loc.file < 0 && loc.line == 0 && loc.col == 0) return w_chk(w, json_null());
    return w_chk(w, json_pack("[iii]", (int)loc.file, (int)loc.line, (int)loc.col));
}

static json_t *w_nodes(writer *w, const xp_graph *g);

static json_t *w_subgraph(writer *w, const xp_graph *g) {
    json_t *o = w_chk(w, json_object()), *ins = w_chk(w, json_array()), *outs = w_chk(w, json_array());
    for (int i = 0; i < g->ninputs; i++) w_push(w, ins, w_typed_value(w, &g->values[g->inputs[i]]));
    for (int i = 0; i < g->noutputs; i++) w_push(w, outs, w_str(w, g->values[g->outputs[i]].name));
    w_set(w, o, "inputs", ins);
    w_set(w, o, "nodes", w_nodes(w, g));
    w_set(w, o, "outputs", outs);
    return o;
}

static json_t *w_node(writer *w, const xp_graph *g, const xp_node *n) {
    json_t *o = w_chk(w, json_object()), *args = w_chk(w, json_array()), *outs = w_chk(w, json_array());
    w_set(w, o, "name", w_str(w, n->name));
    w_set(w, o, "op", w_str(w, xp_op_get(n->op)->name));
    for (int i = 0; i < n->nargs; i++) w_push(w, args, w_arg(w, g, &n->args[i]));
    w_set(w, o, "args", args);
    for (int k = 0; k < n->nouts; k++) w_push(w, outs, w_typed_value(w, &g->values[n->outs[k]]));
    w_set(w, o, "outputs", outs);
    w_set(w, o, "loc", w_loc(w, n->loc));
    if (n->nsub > 0) {
        json_t *subs = w_chk(w, json_array());
        for (int k = 0; k < n->nsub; k++) w_push(w, subs, w_subgraph(w, n->sub[k]));
        w_set(w, o, "subgraphs", subs);
    }
    return o;
}

static json_t *w_nodes(writer *w, const xp_graph *g) {
    json_t *a = w_chk(w, json_array());
    for (int i = 0; i < g->nnodes; i++) w_push(w, a, w_node(w, g, &g->nodes[i]));
    return a;
}

static json_t *w_inputs(writer *w) {
    const xp_program *p = w->p;
    json_t *a = w_chk(w, json_array());
    for (int i = 0; i < p->nsig_in; i++) {
        const xp_sig_input *in = &p->sig_in[i];
        const xp_value *v = &p->graph->values[in->value];
        json_t *o = w_chk(w, json_object());
        w_set(w, o, "name", w_str(w, v->name));
        w_set(w, o, "kind", w_str(w, xp_input_kind_name(in->kind)));
        w_set(w, o, "target", w_str(w, in->target));
        if (v->kind == XP_VAL_SYMINT) {
            w_set(w, o, "sym", w_dim(w, v->sym));
        } else {
            w_set(w, o, "dtype", w_str(w, xp_dtype_name(v->meta.dtype)));
            w_set(w, o, "shape", w_shape(w, &v->meta));
        }
        w_push(w, a, o);
    }
    return a;
}

static json_t *w_outputs(writer *w) {
    const xp_program *p = w->p;
    json_t *a = w_chk(w, json_array());
    for (int i = 0; i < p->nsig_out; i++) {
        const xp_sig_output *out = &p->sig_out[i];
        json_t *o = w_chk(w, json_object());
        if (xp_value_is_symint_output(p->graph, out->value)) /* a size returned: its expression */
            w_set(w, o, "sym", w_dim(w, p->graph->values[out->value].sym));
        else
            w_set(w, o, "value", w_str(w, p->graph->values[out->value].name));
        w_set(w, o, "kind", w_str(w, xp_output_kind_name(out->kind)));
        w_set(w, o, "target", w_str(w, out->target));
        w_push(w, a, o);
    }
    return a;
}

static json_t *w_symbols(writer *w) {
    const xp_symctx *ctx = w->p->syms;
    json_t *a = w_chk(w, json_array());
    for (int s = 0; s < xp_sym_count(ctx); s++)
        w_push(w, a,
               w_chk(w, json_pack("{s:s, s:I, s:I}", "name", xp_sym_name(ctx, s), "min", (json_int_t)xp_sym_min(ctx, s),
                                  "max", (json_int_t)xp_sym_max(ctx, s))));
    return a;
}

static json_t *w_files(writer *w) {
    json_t *a = w_chk(w, json_array());
    for (int i = 0; i < w->p->nfiles; i++) w_push(w, a, w_str(w, w->p->files[i]));
    return a;
}

/* [{"loc": [file, line, col] or null, "text": "..."}] */
static json_t *w_specializations(writer *w) {
    json_t *a = w_chk(w, json_array());
    for (int i = 0; i < w->p->nspecs; i++) {
        json_t *o = w_chk(w, json_object());
        w_set(w, o, "loc", w_loc(w, w->p->specs[i].loc));
        w_set(w, o, "text", w_str(w, w->p->specs[i].text));
        w_push(w, a, o);
    }
    return a;
}

#define DUMP_FLAGS (JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))

/* `"key": value` on one line; arrays get one element per line so files
 * diff well. */
static void frame(writer *w, xp_sb *sb, const char *key, json_t *v, bool per_line, bool last) {
    xp_sb_printf(sb, "  \"%s\": ", key);
    if (!v) {
        w->ok = false;
        return;
    }
    if (per_line && json_is_array(v) && json_array_size(v) > 0) {
        xp_sb_puts(sb, "[\n");
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            char *s = json_dumps(json_array_get(v, i), DUMP_FLAGS);
            if (!s) w->ok = false;
            xp_sb_printf(sb, "    %s%s\n", s ? s : "", i + 1 < n ? "," : "");
            free(s);
        }
        xp_sb_puts(sb, "  ]");
    } else {
        char *s = json_dumps(v, DUMP_FLAGS);
        if (!s) w->ok = false;
        xp_sb_puts(sb, s ? s : "");
        free(s);
    }
    xp_sb_puts(sb, last ? "\n" : ",\n");
    json_decref(v);
}

/* The top graph's nodes, one per line, each built and dropped in turn so a
 * large graph never exists twice in memory. */
static void frame_nodes(writer *w, xp_sb *sb, const xp_graph *g) {
    xp_sb_puts(sb, g->nnodes ? "  \"nodes\": [\n" : "  \"nodes\": []");
    for (int i = 0; i < g->nnodes && w->ok && !sb->oom; i++) {
        json_t *j = w_node(w, g, &g->nodes[i]);
        char *s = j ? json_dumps(j, DUMP_FLAGS) : NULL;
        if (!s) w->ok = false;
        xp_sb_printf(sb, "    %s%s\n", s ? s : "", i + 1 < g->nnodes ? "," : "");
        free(s);
        json_decref(j);
    }
    xp_sb_puts(sb, g->nnodes ? "  ],\n" : ",\n");
}

xp_status xp_program_to_json(const xp_program *p, char **out, size_t *len) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_program_to_json: out is NULL");
    *out = NULL;
    if (len) *len = 0;
    if (!p) return xp_error(XP_ERR_INVALID_ARG, "xp_program_to_json: program is NULL");
    if (xp_program_verify(p)) return xp_error_prefix("cannot serialize program '%s'", xp_program_name(p));
    writer w = {.p = p, .ok = true};
    xp_sb sb = {0};
    xp_sb_puts(&sb, "{\n");
    frame(&w, &sb, "format", w_str(&w, FORMAT_TAG), false, false);
    frame(&w, &sb, "version", w_chk(&w, json_integer(XP_PROGRAM_FORMAT_VERSION)), false, false);
    frame(&w, &sb, "name", w_str(&w, xp_program_name(p)), false, false);
    frame(&w, &sb, "symbols", w_symbols(&w), true, false);
    frame(&w, &sb, "files", w_files(&w), true, false);
    frame(&w, &sb, "inputs", w_inputs(&w), true, false);
    frame_nodes(&w, &sb, p->graph);
    /* optional, and only written when there are some, so files without
     * specializations are byte for byte what older writers produced */
    bool specs = p->nspecs > 0;
    frame(&w, &sb, "outputs", w_outputs(&w), true, !specs);
    if (specs) frame(&w, &sb, "specializations", w_specializations(&w), true, true);
    xp_sb_puts(&sb, "}\n");
    if (!w.ok || sb.oom) {
        xp_sb_free(&sb);
        return xp_error(XP_ERR_OOM, "out of memory serializing program '%s'", xp_program_name(p));
    }
    *out = sb.buf;
    if (len) *len = sb.len;
    return XP_OK;
}

xp_status xp_program_save(const xp_program *p, const char *path) {
    char *text = NULL;
    size_t n = 0;
    xp_status st = xp_program_to_json(p, &text, &n);
    if (st) return st;
    xp_atomic_file af;
    if ((st = xp_atomic_file_open(&af, path))) {
        free(text);
        return st;
    }
    size_t written = fwrite(text, 1, n, af.f);
    free(text);
    if (written != n) {
        int err = errno;
        xp_atomic_file_abort(&af);
        return xp_error(XP_ERR_IO, "cannot write '%s': %s", path, strerror(err ? err : EIO));
    }
    return xp_atomic_file_commit(&af);
}

/* ================================================================ reading */

typedef struct reader {
    xp_program *p;
} reader;

static void path_join(char *dst, const char *fmt, ...) XP_PRINTF(2, 3);
static void path_join(char *dst, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, PATH_LEN, fmt, ap);
    va_end(ap);
}

/* A JSON path short enough to leave room for the message: deep ones keep
 * their start and their end. */
static const char *short_path(const char *path, char *buf, size_t n) {
    size_t len = strlen(path);
    if (len <= 240) return path;
    snprintf(buf, n, "%.80s...%s", path, path + len - 150);
    return buf;
}

static xp_status bad(const char *path, const char *fmt, ...) XP_PRINTF(2, 3);
static xp_status bad(const char *path, const char *fmt, ...) {
    char msg[PATH_LEN], shortened[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return xp_error(XP_ERR_FORMAT, "%s: %s", short_path(path, shortened, sizeof shortened), msg);
}

/* Re-raises the builder's (or symbol code's) message as a format error at `path`. */
static xp_status rewrap(xp_status st, const char *path) {
    if (st == XP_ERR_OOM) return st;
    char shortened[256];
    xp_error_prefix("%s", short_path(path, shortened, sizeof shortened));
    return xp_error(XP_ERR_FORMAT, "%s", xp_last_error());
}

static const char *jtype(const json_t *j) {
    if (!j) return "nothing";
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "something else";
}

/* obj[key] when it exists and has the expected type. */
static xp_status field(json_t *obj, const char *key, const char *path, json_type type, bool optional, json_t **out) {
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || (optional && json_is_null(v))) {
        if (optional) return XP_OK;
        return bad(path, "missing \"%s\"", key);
    }
    bool ok = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v));
    if (!ok) {
        static const char *const want[] = {
            [JSON_OBJECT] = "an object",   [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
            [JSON_INTEGER] = "an integer", [JSON_REAL] = "a number",  [JSON_TRUE] = "a boolean",
            [JSON_FALSE] = "a boolean",    [JSON_NULL] = "null"};
        return bad(path, "\"%s\" must be %s, not %s", key, want[type], jtype(v));
    }
    *out = v;
    return XP_OK;
}

static xp_status field_str(json_t *obj, const char *key, const char *path, bool optional, const char **out) {
    json_t *v;
    xp_status st = field(obj, key, path, JSON_STRING, optional, &v);
    *out = v ? json_string_value(v) : NULL;
    return st;
}

static xp_status need_object(json_t *j, const char *path) {
    return json_is_object(j) ? XP_OK : bad(path, "expected an object, not %s", jtype(j));
}

/* An integer or a size expression. Sizes must be non-negative over the
 * symbols' ranges. */
static xp_status r_dim(reader *r, json_t *j, const char *path, bool is_size, xp_dim *out) {
    if (json_is_integer(j)) {
        json_int_t v = json_integer_value(j);
        if (v < XP_DIM_SYM_LIMIT) return bad(path, "integer %lld is out of range", (long long)v);
        if (is_size && v < 0) return bad(path, "negative size %lld", (long long)v);
        *out = (xp_dim)v;
        return XP_OK;
    }
    if (!json_is_string(j)) return bad(path, "expected an integer or a size expression, not %s", jtype(j));
    const char *text = json_string_value(j);
    xp_status st = xp_dim_parse(r->p->syms, text, out);
    if (st) {
        if (st == XP_ERR_OOM) return st;
        char shortened[256];
        xp_error_prefix("%s: bad size expression '%s'", short_path(path, shortened, sizeof shortened), text);
        return xp_error(XP_ERR_FORMAT, "%s", xp_last_error());
    }
    if (!xp_dim_is_valid(*out)) return bad(path, "bad size expression '%s'", text);
    if (is_size) {
        int64_t lo = 0, hi = 0;
        if (xp_dim_is_sym(*out))
            xp_dim_range(r->p->syms, *out, &lo, &hi);
        else
            lo = *out;
        if (lo < 0) return bad(path, "size '%s' can be negative (as low as %lld)", text, (long long)lo);
    }
    return XP_OK;
}

/* {"dtype", "shape"} of `obj`. */
static xp_status r_meta(reader *r, json_t *obj, const char *path, xp_meta *m) {
    char sub[PATH_LEN];
    const char *dt;
    json_t *shape;
    xp_status st = field_str(obj, "dtype", path, false, &dt);
    if (!st) st = field(obj, "shape", path, JSON_ARRAY, false, &shape);
    if (st) return st;
    memset(m, 0, sizeof *m);
    if (!xp_dtype_from_name(dt, &m->dtype)) return bad(path, "unknown dtype '%s'", dt);
    size_t n = json_array_size(shape);
    if (n > XP_MAX_DIMS) return bad(path, "rank %zu exceeds the maximum %d", n, XP_MAX_DIMS);
    m->ndim = (int)n;
    for (size_t d = 0; d < n; d++) {
        path_join(sub, "%s.shape[%zu]", path, d);
        if ((st = r_dim(r, json_array_get(shape, d), sub, true, &m->shape[d]))) return st;
    }
    return XP_OK;
}

static xp_status r_ref(const xp_strmap *names, json_t *j, const char *path, int32_t *out) {
    if (!json_is_string(j)) return bad(path, "expected a value name, not %s", jtype(j));
    const int32_t *id = xp_strmap_get(names, json_string_value(j));
    if (!id) return bad(path, "unknown value '%s'", json_string_value(j));
    *out = *id;
    return XP_OK;
}

static void narg_clear(xp_narg *a) {
    if (a->kind == XP_ARG_TENSOR_LIST)
        free(a->vl.v);
    else if (a->kind == XP_ARG_INT_LIST)
        free(a->il.v);
    memset(a, 0, sizeof *a);
}

static xp_status r_arg(reader *r, const xp_strmap *names, json_t *j, const char *path, xp_narg *out) {
    char sub[PATH_LEN];
    memset(out, 0, sizeof *out);
    if (json_is_null(j)) return XP_OK; /* XP_ARG_NONE */
    if (!json_is_object(j) || json_object_size(j) != 1)
        return bad(path, "expected null or an object with one key (tensor, tensors, int, ints, float, bool, dtype)");
    void *it = json_object_iter(j);
    const char *key = json_object_iter_key(it);
    json_t *v = json_object_iter_value(it);
    xp_status st = XP_OK;
    if (strcmp(key, "tensor") == 0) {
        out->kind = XP_ARG_TENSOR;
        return r_ref(names, v, path, &out->value);
    }
    if (strcmp(key, "tensors") == 0 || strcmp(key, "ints") == 0) {
        bool tensors = key[0] == 't';
        if (!json_is_array(v)) return bad(path, "\"%s\" must be an array, not %s", key, jtype(v));
        size_t n = json_array_size(v);
        if (n > (1u << 20)) return bad(path, "list of %zu elements is too long", n);
        out->kind = tensors ? XP_ARG_TENSOR_LIST : XP_ARG_INT_LIST;
        if (tensors) {
            out->vl.n = (int)n;
            if (!(out->vl.v = xp_calloc(n + 1, sizeof *out->vl.v))) return XP_ERR_OOM;
        } else {
            out->il.n = (int)n;
            if (!(out->il.v = xp_calloc(n + 1, sizeof *out->il.v))) return XP_ERR_OOM;
        }
        for (size_t k = 0; k < n && !st; k++) {
            path_join(sub, "%s[%zu]", path, k);
            if (tensors)
                st = r_ref(names, json_array_get(v, k), sub, &out->vl.v[k]);
            else
                st = r_dim(r, json_array_get(v, k), sub, false, &out->il.v[k]);
        }
        if (st) narg_clear(out);
        return st;
    }
    if (strcmp(key, "int") == 0) {
        out->kind = XP_ARG_INT;
        return r_dim(r, v, path, false, &out->i);
    }
    if (strcmp(key, "float") == 0) {
        out->kind = XP_ARG_FLOAT;
        if (json_is_number(v))
            out->f = json_number_value(v);
        else if (json_is_string(v) && strcmp(json_string_value(v), "inf") == 0)
            out->f = INFINITY;
        else if (json_is_string(v) && strcmp(json_string_value(v), "-inf") == 0)
            out->f = -INFINITY;
        else if (json_is_string(v) && strcmp(json_string_value(v), "nan") == 0)
            out->f = NAN;
        else
            return bad(path, "\"float\" must be a number, \"inf\", \"-inf\" or \"nan\", not %s", jtype(v));
        return XP_OK;
    }
    if (strcmp(key, "bool") == 0) {
        out->kind = XP_ARG_BOOL;
        if (!json_is_boolean(v)) return bad(path, "\"bool\" must be true or false, not %s", jtype(v));
        out->b = json_is_true(v);
        return XP_OK;
    }
    if (strcmp(key, "dtype") == 0) {
        out->kind = XP_ARG_DTYPE;
        if (!json_is_string(v)) return bad(path, "\"dtype\" must be a string, not %s", jtype(v));
        if (!xp_dtype_from_name(json_string_value(v), &out->dt))
            return bad(path, "unknown dtype '%s'", json_string_value(v));
        return XP_OK;
    }
    return bad(path, "unknown argument kind '%s'", key);
}

static xp_status r_loc(reader *r, json_t *j, const char *path, xp_srcloc *out) {
    *out = XP_NO_LOC;
    if (!j || json_is_null(j)) return XP_OK;
    if (!json_is_array(j) || json_array_size(j) != 3) return bad(path, "expected [file, line, column] or null");
    json_int_t v[3];
    for (int k = 0; k < 3; k++) {
        json_t *e = json_array_get(j, (size_t)k);
        if (!json_is_integer(e)) return bad(path, "expected [file, line, column] of integers");
        v[k] = json_integer_value(e);
    }
    if (v[0] < -1 || v[0] >= r->p->nfiles)
        return bad(path, "file index %lld is out of range (%d file%s)", (long long)v[0], r->p->nfiles,
                   r->p->nfiles == 1 ? "" : "s");
    if (v[1] < 0 || v[1] > INT32_MAX || v[2] < 0 || v[2] > INT32_MAX)
        return bad(path, "line %lld, column %lld is out of range", (long long)v[1], (long long)v[2]);
    *out = (xp_srcloc){(int32_t)v[0], (int32_t)v[1], (int32_t)v[2]};
    return XP_OK;
}

static xp_status r_subgraph(reader *r, json_t *j, const char *path, int depth, xp_graph **out);

#define MAX_NODE_OUTS 64

typedef struct node_io {
    int nargs, nouts;
    xp_narg args[XP_MAX_OP_ARGS];
    const char *names[MAX_NODE_OUTS];
    xp_meta metas[MAX_NODE_OUTS];
} node_io;

static xp_status r_node_outputs(json_t *node, xp_strmap *names, const char *path, reader *r, node_io *io) {
    char sub[PATH_LEN];
    json_t *outs;
    xp_status st = field(node, "outputs", path, JSON_ARRAY, false, &outs);
    if (st) return st;
    size_t n = json_array_size(outs);
    if (n < 1 || n > MAX_NODE_OUTS) return bad(path, "a node has 1 to %d outputs, not %zu", MAX_NODE_OUTS, n);
    io->nouts = (int)n;
    for (size_t k = 0; k < n; k++) {
        json_t *o = json_array_get(outs, k);
        path_join(sub, "%s.outputs[%zu]", path, k);
        if ((st = need_object(o, sub)) || (st = field_str(o, "name", sub, false, &io->names[k]))) return st;
        const char *name = io->names[k];
        if (!xp_ir_is_identifier(name)) return bad(sub, "value name '%s' is not an identifier", name);
        bool dup = xp_strmap_get(names, name) != NULL;
        for (size_t q = 0; q < k && !dup; q++) dup = strcmp(io->names[q], name) == 0;
        if (dup) return bad(sub, "duplicate value '%s'", name);
        if ((st = r_meta(r, o, sub, &io->metas[k]))) return st;
    }
    return XP_OK;
}

static xp_status r_node(reader *r, xp_graph *g, xp_strmap *names, json_t *j, const char *path, int depth) {
    char sub[PATH_LEN];
    node_io io;
    memset(&io, 0, sizeof io);
    const char *opname, *name;
    json_t *args, *loc_j, *subs;
    xp_status st = need_object(j, path);
    if (!st) st = field_str(j, "op", path, false, &opname);
    if (st) return st;
    const xp_op_def *def = xp_op_find(opname);
    char op_path[PATH_LEN];
    path_join(op_path, "%s.op", path);
    if ((!def && strstr(opname, "::")) || (def && (def->flags & XP_OP_CUSTOM) && !xp_op_custom_impl(def->id))) {
        /* a custom op (docs/custom-ops.md): its kernel is the user's C function, registered by linking it */
        if (xp_custom_ops_check_linked() != XP_OK)
            return xp_error_prefix("program %s uses custom op %s, which is not registered", xp_program_name(r->p),
                                   opname);
        return xp_error(XP_ERR_NOT_FOUND,
                        "program %s uses custom op %s, which is not registered: link the file that defines it "
                        "(compiled with the xport plugin) or pass --ops LIB.so to xport run",
                        xp_program_name(r->p), opname);
    }
    if (!def) return bad(op_path, "unknown op '%s'", opname);
    if ((st = field_str(j, "name", path, false, &name)) || (st = field(j, "args", path, JSON_ARRAY, false, &args)) ||
        (st = field(j, "subgraphs", path, JSON_ARRAY, true, &subs)) || (st = r_node_outputs(j, names, path, r, &io)))
        return st;
    if (strcmp(name, io.names[0]) != 0)
        return bad(path, "node name '%s' is not the name of its first output '%s'", name, io.names[0]);
    loc_j = json_object_get(j, "loc");
    xp_srcloc loc;
    path_join(sub, "%s.loc", path);
    if ((st = r_loc(r, loc_j, sub, &loc))) return st;
    size_t nargs = json_array_size(args);
    if (nargs > XP_MAX_OP_ARGS) return bad(path, "%zu arguments; an op takes at most %d", nargs, XP_MAX_OP_ARGS);
    for (size_t i = 0; i < nargs && !st; i++) {
        path_join(sub, "%s.args[%zu]", path, i);
        st = r_arg(r, names, json_array_get(args, i), sub, &io.args[i]);
        if (!st) io.nargs = (int)i + 1;
    }
    size_t nsub = subs ? json_array_size(subs) : 0;
    int32_t outs[MAX_NODE_OUTS];
    if (st) {
        /* reported above */
    } else if (def->id == XP_OP_map) {
        xp_graph *body = NULL;
        if (nargs != 2 || io.args[0].kind != XP_ARG_TENSOR_LIST || io.args[1].kind != XP_ARG_TENSOR_LIST)
            st = bad(path, "map takes [{\"tensors\": [xs]}, {\"tensors\": [extras]}]");
        else if (nsub != 1)
            st = bad(path, "map has one body subgraph, not %zu subgraphs", nsub);
        if (!st) {
            path_join(sub, "%s.subgraphs[0]", path);
            st = r_subgraph(r, json_array_get(subs, 0), sub, depth + 1, &body);
        }
        if (!st) {
            st = xp_graph_add_map_named(g, io.args[0].vl.n, io.args[0].vl.v, io.args[1].vl.n, io.args[1].vl.v, body,
                                        loc, io.names, io.nouts, outs);
            if (st) st = rewrap(st, path);
        }
    } else if (def->flags & XP_OP_CONTROL) {
        xp_graph *br[2] = {NULL, NULL};
        if (def->id != XP_OP_cond)
            st = bad(path, "op '%s' is not supported in files", def->name);
        else if (nargs != 2 || io.args[0].kind != XP_ARG_TENSOR || io.args[1].kind != XP_ARG_TENSOR_LIST)
            st = bad(path, "cond takes [{\"tensor\": pred}, {\"tensors\": [operands]}]");
        else if (nsub != 2)
            st = bad(path, "cond has a true and a false subgraph, not %zu subgraphs", nsub);
        for (int k = 0; k < 2 && !st; k++) {
            path_join(sub, "%s.subgraphs[%d]", path, k);
            st = r_subgraph(r, json_array_get(subs, (size_t)k), sub, depth + 1, &br[k]);
        }
        if (st) {
            xp_graph_free(br[0]);
            xp_graph_free(br[1]);
        } else {
            st = xp_graph_add_cond_named(g, io.args[0].value, io.args[1].vl.n, io.args[1].vl.v, br[0], br[1], loc,
                                         io.names, io.nouts, outs);
            if (st) st = rewrap(st, path);
        }
    } else if (def->flags & XP_OP_CUSTOM) {
        /* the file's output metas are trusted (they came from the op's meta function at export); the kernel
         * checks the implementation's result against them */
        if (nsub > 0)
            st = bad(path, "op '%s' takes no subgraphs", def->name);
        else if ((st = xp_graph_add_custom_node(g, def->id, io.args, io.nargs, io.metas, io.nouts, loc, io.names,
                                                outs)))
            st = rewrap(st, path);
    } else {
        int want = xp_ir_op_nouts(def->id);
        if (nsub > 0)
            st = bad(path, "op '%s' takes no subgraphs", def->name);
        else if (want < 0)
            st = bad(op_path, "op '%s' cannot be a graph node", def->name);
        else if (want != io.nouts)
            st = bad(path, "op '%s' has %d output%s, the file lists %d", def->name, want, want == 1 ? "" : "s",
                     io.nouts);
        else if ((st = xp_graph_add_node_named(g, def->id, io.args, io.nargs, loc, io.names, io.nouts, outs)))
            st = rewrap(st, path);
    }
    for (int i = 0; i < io.nargs; i++) narg_clear(&io.args[i]);
    if (st) return st;
    for (int k = 0; k < io.nouts; k++) {
        const xp_meta *inferred = &g->values[outs[k]].meta;
        if (!xp_ir_meta_equal(r->p->syms, &io.metas[k], inferred)) {
            char a[256], b[256];
            xp_meta_format(r->p, &io.metas[k], a, sizeof a);
            xp_meta_format(r->p, inferred, b, sizeof b);
            path_join(sub, "%s.outputs[%d]", path, k);
            return bad(sub, "stored type %s differs from the inferred %s", a, b);
        }
        if ((st = xp_strmap_put(names, io.names[k], outs[k]))) return st;
    }
    return XP_OK;
}

static xp_status r_nodes(reader *r, xp_graph *g, xp_strmap *names, json_t *obj, const char *prefix, int depth) {
    char path[PATH_LEN];
    json_t *nodes;
    xp_status st = field(obj, "nodes", prefix[0] ? prefix : "(top level)", JSON_ARRAY, false, &nodes);
    for (size_t i = 0; i < json_array_size(nodes) && !st; i++) {
        path_join(path, "%s%snodes[%zu]", prefix, prefix[0] ? "." : "", i);
        st = r_node(r, g, names, json_array_get(nodes, i), path, depth);
    }
    return st;
}

static xp_status r_subgraph_body(reader *r, xp_graph *g, xp_strmap *names, json_t *j, const char *path, int depth) {
    char sub[PATH_LEN];
    json_t *ins, *outs;
    xp_status st = need_object(j, path);
    if (!st) st = field(j, "inputs", path, JSON_ARRAY, false, &ins);
    if (!st) st = field(j, "outputs", path, JSON_ARRAY, false, &outs);
    for (size_t i = 0; !st && i < json_array_size(ins); i++) {
        json_t *in = json_array_get(ins, i);
        const char *name;
        xp_meta m;
        int32_t id;
        path_join(sub, "%s.inputs[%zu]", path, i);
        if ((st = need_object(in, sub)) || (st = field_str(in, "name", sub, false, &name)) ||
            (st = r_meta(r, in, sub, &m)))
            break;
        if ((st = xp_graph_add_input(g, name, &m, &id)))
            st = rewrap(st, sub);
        else
            st = xp_strmap_put(names, name, id);
    }
    if (!st) st = r_nodes(r, g, names, j, path, depth);
    if (st) return st;
    size_t n = json_array_size(outs);
    int32_t *ids = xp_calloc(n + 1, sizeof *ids);
    if (!ids) return XP_ERR_OOM;
    for (size_t i = 0; i < n && !st; i++) {
        path_join(sub, "%s.outputs[%zu]", path, i);
        st = r_ref(names, json_array_get(outs, i), sub, &ids[i]);
    }
    if (!st && n > 64) st = bad(path, "%zu outputs; a branch returns at most 64", n);
    if (!st && (st = xp_graph_set_outputs(g, (int)n, ids))) st = rewrap(st, path);
    free(ids);
    return st;
}

static xp_status r_subgraph(reader *r, json_t *j, const char *path, int depth, xp_graph **out) {
    *out = NULL;
    if (depth > XP_IR_MAX_DEPTH) return bad(path, "subgraphs nest deeper than %d", XP_IR_MAX_DEPTH);
    xp_graph *g = xp_graph_new_sub(r->p);
    if (!g) return XP_ERR_OOM;
    xp_strmap names = {0};
    xp_status st = r_subgraph_body(r, g, &names, j, path, depth);
    xp_strmap_clear(&names);
    if (st) {
        xp_graph_free(g);
        return st;
    }
    *out = g;
    return XP_OK;
}

static xp_status r_symbols(reader *r, json_t *root) {
    char path[PATH_LEN];
    json_t *syms;
    xp_status st = field(root, "symbols", "(top level)", JSON_ARRAY, true, &syms);
    for (size_t i = 0; !st && syms && i < json_array_size(syms); i++) {
        json_t *s = json_array_get(syms, i), *lo, *hi;
        const char *name;
        path_join(path, "symbols[%zu]", i);
        if ((st = need_object(s, path)) || (st = field_str(s, "name", path, false, &name)) ||
            (st = field(s, "min", path, JSON_INTEGER, false, &lo)) ||
            (st = field(s, "max", path, JSON_INTEGER, false, &hi)))
            break;
        long long mn = json_integer_value(lo), mx = json_integer_value(hi);
        if (mn < 0)
            st = bad(path, "symbol '%s' has negative minimum %lld", name, mn);
        else if (mx < mn)
            st = bad(path, "symbol '%s' has empty range [%lld, %lld]", name, mn, mx);
        else if (!xp_dim_is_valid(xp_sym_new(r->p->syms, name, mn, mx)))
            st = rewrap(xp_last_status(), path);
    }
    return st;
}

static xp_status r_files(reader *r, json_t *root) {
    char path[PATH_LEN];
    json_t *files;
    xp_status st = field(root, "files", "(top level)", JSON_ARRAY, true, &files);
    for (size_t i = 0; !st && files && i < json_array_size(files); i++) {
        json_t *f = json_array_get(files, i);
        path_join(path, "files[%zu]", i);
        if (!json_is_string(f)) return bad(path, "expected a file name, not %s", jtype(f));
        int32_t idx = xp_program_file(r->p, json_string_value(f));
        if (idx < 0) return XP_ERR_OOM;
        if ((size_t)idx != i) return bad(path, "duplicate file '%s'", json_string_value(f));
    }
    return st;
}

static xp_status r_inputs(reader *r, xp_strmap *names, json_t *root) {
    char path[PATH_LEN], sub[PATH_LEN];
    json_t *ins;
    xp_status st = field(root, "inputs", "(top level)", JSON_ARRAY, false, &ins);
    for (size_t i = 0; !st && i < json_array_size(ins); i++) {
        json_t *in = json_array_get(ins, i);
        const char *name, *kind_s, *target;
        xp_input_kind kind;
        int32_t id = -1;
        path_join(path, "inputs[%zu]", i);
        if ((st = need_object(in, path)) || (st = field_str(in, "name", path, false, &name)) ||
            (st = field_str(in, "kind", path, false, &kind_s)) || (st = field_str(in, "target", path, true, &target)))
            break;
        path_join(sub, "%s.kind", path);
        if (!xp_input_kind_from_name(kind_s, &kind)) return bad(sub, "unknown input kind '%s'", kind_s);
        if (kind == XP_IN_SYMINT) {
            json_t *sym_j;
            if (target) return bad(path, "input '%s': a SYMINT has no target, got '%s'", name, target);
            xp_dim sym;
            path_join(sub, "%s.sym", path);
            if ((st = field(in, "sym", path, JSON_STRING, false, &sym_j)) || (st = r_dim(r, sym_j, sub, false, &sym)))
                break;
            if (!xp_dim_is_sym(sym) || xp_dim_as_symbol(r->p->syms, sym) < 0)
                return bad(sub, "'%s' is not a symbol", json_string_value(sym_j));
            st = xp_program_add_symint_input(r->p, name, sym, &id);
        } else {
            xp_meta m;
            if ((st = r_meta(r, in, path, &m))) break;
            st = xp_program_add_input(r->p, kind, name, target, m.dtype, m.ndim, m.shape, &id);
        }
        if (st) return rewrap(st, path);
        st = xp_strmap_put(names, name, id);
    }
    return st;
}

static xp_status r_outputs(reader *r, const xp_strmap *names, json_t *root) {
    char path[PATH_LEN], sub[PATH_LEN];
    json_t *outs;
    xp_status st = field(root, "outputs", "(top level)", JSON_ARRAY, false, &outs);
    for (size_t i = 0; !st && i < json_array_size(outs); i++) {
        json_t *o = json_array_get(outs, i);
        const char *kind_s, *target;
        xp_output_kind kind;
        int32_t id = -1; /* set by r_ref; GCC -O3 cannot see that */
        path_join(path, "outputs[%zu]", i);
        if ((st = need_object(o, path))) break;
        json_t *sym_j = json_object_get(o, "sym");
        if (sym_j) { /* a SYMINT output: a size expression, no value name */
            xp_dim expr;
            path_join(sub, "%s.sym", path);
            if (json_object_get(o, "value")) return bad(path, "has both 'value' and 'sym'");
            if ((st = r_dim(r, sym_j, sub, false, &expr)) || (st = xp_program_add_symint_value(r->p, expr, &id)))
                break;
        } else {
            path_join(sub, "%s.value", path);
            if ((st = r_ref(names, json_object_get(o, "value"), sub, &id))) break;
        }
        if ((st = field_str(o, "kind", path, false, &kind_s)) || (st = field_str(o, "target", path, true, &target)))
            break;
        path_join(sub, "%s.kind", path);
        if (!xp_output_kind_from_name(kind_s, &kind)) return bad(sub, "unknown output kind '%s'", kind_s);
        if ((st = xp_program_add_output(r->p, kind, id, target))) return rewrap(st, path);
    }
    return st;
}

/* "specializations" (optional): [{"loc": [file, line, col] or null, "text": "..."}] */
static xp_status r_specializations(reader *r, json_t *root) {
    char path[PATH_LEN], sub[PATH_LEN];
    json_t *specs;
    xp_status st = field(root, "specializations", "(top level)", JSON_ARRAY, true, &specs);
    for (size_t i = 0; !st && specs && i < json_array_size(specs); i++) {
        json_t *o = json_array_get(specs, i);
        const char *text;
        xp_srcloc loc;
        path_join(path, "specializations[%zu]", i);
        path_join(sub, "%s.loc", path);
        if ((st = need_object(o, path)) || (st = field_str(o, "text", path, false, &text)) ||
            (st = r_loc(r, json_object_get(o, "loc"), sub, &loc)))
            break;
        if (!*text) return bad(path, "empty \"text\"");
        if ((st = xp_program_add_specialization(r->p, loc, text))) return rewrap(st, path);
    }
    return st;
}

static xp_status r_program(reader *r, json_t *root) {
    const char *tag, *name;
    json_t *ver;
    if (!json_is_object(root)) return bad("(top level)", "expected an object, not %s", jtype(root));
    xp_status st = field_str(root, "format", "(top level)", false, &tag);
    if (st) return st;
    if (strcmp(tag, FORMAT_TAG) != 0) return bad("format", "expected \"%s\", not \"%s\"", FORMAT_TAG, tag);
    if ((st = field(root, "version", "(top level)", JSON_INTEGER, false, &ver))) return st;
    json_int_t version = json_integer_value(ver);
    if (version > XP_PROGRAM_FORMAT_VERSION)
        return xp_error(XP_ERR_UNSUPPORTED, "version %lld is newer than this libxport supports (%d)",
                        (long long)version, XP_PROGRAM_FORMAT_VERSION);
    if (version < 1) return bad("version", "%lld is not a valid version", (long long)version);
    if ((st = field_str(root, "name", "(top level)", false, &name))) return st;
    if (!(r->p = xp_program_new(name))) return XP_ERR_OOM;
    xp_strmap names = {0};
    if (!(st = r_symbols(r, root)) && !(st = r_files(r, root)) && !(st = r_inputs(r, &names, root)) &&
        !(st = r_nodes(r, r->p->graph, &names, root, "", 0)) && !(st = r_outputs(r, &names, root)) &&
        !(st = r_specializations(r, root))) {
        if ((st = xp_program_verify(r->p)) && st != XP_ERR_OOM) {
            xp_error_prefix("invalid program");
            st = xp_error(XP_ERR_FORMAT, "%s", xp_last_error());
        }
    }
    xp_strmap_clear(&names);
    return st;
}

xp_status xp_program_load_json(const char *json, size_t len, xp_program **out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_program_load_json: out is NULL");
    *out = NULL;
    if (!json) return xp_error(XP_ERR_INVALID_ARG, "xp_program_load_json: text is NULL");
    xp_registry_init();
    json_error_t err;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) return xp_error(XP_ERR_FORMAT, "invalid JSON at line %d, column %d: %s", err.line, err.column, err.text);
    reader r = {0};
    xp_status st = r_program(&r, root);
    json_decref(root);
    if (st) {
        xp_program_free(r.p);
        return st;
    }
    *out = r.p;
    return XP_OK;
}

xp_status xp_program_load(const char *path, xp_program **out) {
    if (!out) return xp_error(XP_ERR_INVALID_ARG, "xp_program_load: out is NULL");
    *out = NULL;
    if (!path) return xp_error(XP_ERR_INVALID_ARG, "xp_program_load: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f) return xp_error(XP_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = xp_malloc(cap);
    xp_status st = buf ? XP_OK : XP_ERR_OOM;
    while (!st) {
        if (n == cap) {
            if (cap >= MAX_FILE_BYTES) {
                st = xp_error(XP_ERR_FORMAT, "'%s' is larger than %zu bytes", path, MAX_FILE_BYTES);
                break;
            }
            char *b = xp_realloc(buf, cap * 2);
            if (!b) {
                st = XP_ERR_OOM;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) st = xp_error(XP_ERR_IO, "cannot read '%s': %s", path, strerror(errno ? errno : EIO));
            break;
        }
    }
    fclose(f);
    if (!st) {
        st = xp_program_load_json(buf, n, out);
        if (st) xp_error_prefix("%s", path);
    }
    free(buf);
    return st;
}
