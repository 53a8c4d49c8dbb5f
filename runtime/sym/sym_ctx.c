/*
 * The symbol context: declared symbols and the hash-consed node table.
 */
#include "sym/sym_internal.h"

#include <stdlib.h>
#include <string.h>

xp_symctx *xp_symctx_new(void) { return xp_calloc(1, sizeof(xp_symctx)); }

void xp_symctx_free(xp_symctx *ctx) {
    if (!ctx) return;
    for (int i = 0; i < ctx->nsyms; i++) free(ctx->syms[i].name);
    free(ctx->syms);
    free(ctx->nodes);
    free(ctx->pool);
    free(ctx->table);
    free(ctx);
}

/* A copy of the first `used` elements in an array of `cap`; NULL when cap is 0. */
static void *dup_part(const void *src, size_t used, size_t cap, size_t size, bool *ok) {
    if (cap == 0) return NULL;
    void *p = xp_malloc(cap * size);
    if (!p) {
        *ok = false;
        return NULL;
    }
    if (used) memcpy(p, src, used * size);
    return p;
}

xp_symctx *xp_symctx_clone(const xp_symctx *ctx) {
    if (!ctx) return NULL;
    xp_symctx *c = xp_symctx_new();
    if (!c) return NULL;
    bool ok = true;
    c->syms = dup_part(ctx->syms, 0, (size_t)ctx->symcap, sizeof *ctx->syms, &ok);
    if (c->syms) c->symcap = ctx->symcap;
    for (int i = 0; ok && i < ctx->nsyms; i++) {
        c->syms[i] = ctx->syms[i];
        c->syms[i].name = xp_strdup(ctx->syms[i].name);
        if (!c->syms[i].name)
            ok = false;
        else
            c->nsyms = i + 1;
    }
    c->nodes = dup_part(ctx->nodes, ctx->nnodes, ctx->nodecap, sizeof *ctx->nodes, &ok);
    if (c->nodes) c->nodecap = ctx->nodecap, c->nnodes = ctx->nnodes;
    c->pool = dup_part(ctx->pool, ctx->npool, ctx->poolcap, sizeof *ctx->pool, &ok);
    if (c->pool) c->poolcap = ctx->poolcap, c->npool = ctx->npool;
    c->table = dup_part(ctx->table, ctx->tablecap, ctx->tablecap, sizeof *ctx->table, &ok);
    if (c->table) c->tablecap = ctx->tablecap;
    /* a pending requirement is part of the state: its handles mean the same in the copy */
    c->has_req = ctx->has_req;
    c->req = ctx->req;
    if (!ok) {
        xp_symctx_free(c);
        return NULL;
    }
    return c;
}

xp_status xs_bad_handle(const xp_symctx *ctx, xp_dim d) {
    if (!ctx) return xp_error(XP_ERR_INVALID_ARG, "symbolic size used without a symbol context");
    if (!xs_is_handle(d))
        return xp_error(XP_ERR_INVALID_ARG,
                        "size %lld is neither a size nor a symbolic size (plain C arithmetic on a symbolic size?)",
                        (long long)d);
    return xp_error(XP_ERR_INVALID_ARG, "symbolic size handle %u does not belong to this symbol context",
                    (unsigned)xs_index(d));
}

/* ---- hash-consing ---- */

static uint64_t hash_words(uint32_t kind, const int64_t *w, uint32_t len) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ kind;
    for (uint32_t i = 0; i < len; i++) {
        h ^= (uint64_t)w[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    return h ? h : 1;
}

static bool same_node(const xp_symctx *ctx, uint32_t idx, uint32_t kind, const int64_t *w, uint32_t len, uint64_t h) {
    const xs_node *n = &ctx->nodes[idx];
    return n->hash == h && n->kind == kind && n->len == len && memcmp(ctx->pool + n->ofs, w, len * sizeof *w) == 0;
}

uint32_t xs_lookup(const xp_symctx *ctx, uint32_t kind, const int64_t *w, uint32_t len) {
    if (!ctx->tablecap) return UINT32_MAX;
    uint64_t h = hash_words(kind, w, len);
    size_t mask = ctx->tablecap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t e = ctx->table[i];
        if (!e) return UINT32_MAX;
        if (same_node(ctx, e - 1, kind, w, len, h)) return e - 1;
    }
}

static bool grow_table(xp_symctx *ctx) {
    size_t cap = ctx->tablecap ? ctx->tablecap * 2 : 64;
    uint32_t *t = xp_calloc(cap, sizeof *t);
    if (!t) return false;
    for (uint32_t idx = 0; idx < ctx->nnodes; idx++) {
        size_t i = ctx->nodes[idx].hash & (cap - 1);
        while (t[i]) i = (i + 1) & (cap - 1);
        t[i] = idx + 1;
    }
    free(ctx->table);
    ctx->table = t;
    ctx->tablecap = cap;
    return true;
}

uint32_t xs_intern(xp_symctx *ctx, uint32_t kind, const int64_t *w, uint32_t len) {
    uint32_t found = xs_lookup(ctx, kind, w, len);
    if (found != UINT32_MAX) return found;
    /* the handle encoding holds 21 bits of index (sym_internal.h) */
    if (ctx->nnodes >= XS_HANDLE_MAX_NODES) {
        xp_error(XP_ERR_OOM, "symbol context is full");
        return UINT32_MAX;
    }
    if ((size_t)(ctx->nnodes + 1) * 2 > ctx->tablecap && !grow_table(ctx)) return UINT32_MAX;
    if (ctx->nnodes == ctx->nodecap) {
        uint32_t cap = ctx->nodecap ? ctx->nodecap * 2 : 32;
        xs_node *n = xp_realloc(ctx->nodes, (size_t)cap * sizeof *n);
        if (!n) return UINT32_MAX;
        ctx->nodes = n;
        ctx->nodecap = cap;
    }
    if (ctx->npool + len > ctx->poolcap) {
        size_t cap = ctx->poolcap ? ctx->poolcap * 2 : 256;
        while (cap < ctx->npool + len) cap *= 2;
        int64_t *p = xp_realloc(ctx->pool, cap * sizeof *p);
        if (!p) return UINT32_MAX;
        ctx->pool = p;
        ctx->poolcap = cap;
    }
    uint32_t idx = ctx->nnodes++;
    xs_node *n = &ctx->nodes[idx];
    n->kind = kind;
    n->len = len;
    n->ofs = ctx->npool;
    n->hash = hash_words(kind, w, len);
    memcpy(ctx->pool + ctx->npool, w, len * sizeof *w);
    ctx->npool += len;
    size_t mask = ctx->tablecap - 1, i = n->hash & mask;
    while (ctx->table[i]) i = (i + 1) & mask;
    ctx->table[i] = idx + 1;
    return idx;
}

/* ---- symbols ---- */

static bool valid_name(const char *s) {
    if (!s || !*s) return false;
    if (!(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
    for (const char *p = s + 1; *p; p++)
        if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

static xp_status check_range(const char *name, int64_t min, int64_t max) {
    if (min < 0)
        return xp_error(XP_ERR_INVALID_ARG, "dim '%s': min=%lld is negative; sizes are >= 0", name, (long long)min);
    if (min > max)
        return xp_error(XP_ERR_INVALID_ARG, "dim '%s': min=%lld is greater than max=%lld", name, (long long)min,
                        (long long)max);
    return XP_OK;
}

xp_dim xp_sym_new(xp_symctx *ctx, const char *name, int64_t min, int64_t max) {
    if (!ctx) {
        xp_error(XP_ERR_INVALID_ARG, "xp_sym_new: no symbol context");
        return XP_DIM_INVALID;
    }
    if (!valid_name(name)) {
        xp_error(XP_ERR_INVALID_ARG, "dim name '%s' is not a C identifier", name ? name : "(null)");
        return XP_DIM_INVALID;
    }
    if (xp_sym_find(ctx, name) >= 0) {
        xp_error(XP_ERR_INVALID_ARG, "dim '%s' is declared twice", name);
        return XP_DIM_INVALID;
    }
    if (check_range(name, min, max) != XP_OK) return XP_DIM_INVALID;
    if (ctx->nsyms == ctx->symcap) {
        int cap = ctx->symcap ? ctx->symcap * 2 : 8;
        xs_symbol *s = xp_realloc(ctx->syms, (size_t)cap * sizeof *s);
        if (!s) return XP_DIM_INVALID;
        ctx->syms = s;
        ctx->symcap = cap;
    }
    char *copy = xp_strdup(name);
    if (!copy) return XP_DIM_INVALID;
    int64_t w = ctx->nsyms;
    uint32_t node = xs_intern(ctx, XS_SYM, &w, 1);
    if (node == UINT32_MAX) {
        free(copy);
        return XP_DIM_INVALID;
    }
    ctx->syms[ctx->nsyms++] = (xs_symbol){copy, min, max, node};
    return xs_handle(node);
}

int xp_sym_count(const xp_symctx *ctx) { return ctx ? ctx->nsyms : 0; }

static bool sym_ok(const xp_symctx *ctx, int sym) { return ctx && sym >= 0 && sym < ctx->nsyms; }

const char *xp_sym_name(const xp_symctx *ctx, int sym) { return sym_ok(ctx, sym) ? ctx->syms[sym].name : NULL; }
int64_t xp_sym_min(const xp_symctx *ctx, int sym) { return sym_ok(ctx, sym) ? ctx->syms[sym].min : 0; }
int64_t xp_sym_max(const xp_symctx *ctx, int sym) { return sym_ok(ctx, sym) ? ctx->syms[sym].max : 0; }

xp_status xp_sym_set_range(xp_symctx *ctx, int sym, int64_t min, int64_t max) {
    if (!sym_ok(ctx, sym)) return xp_error(XP_ERR_INVALID_ARG, "xp_sym_set_range: no symbol %d", sym);
    xp_status st = check_range(ctx->syms[sym].name, min, max);
    if (st != XP_OK) return st;
    ctx->syms[sym].min = min;
    ctx->syms[sym].max = max;
    return XP_OK;
}

int xp_sym_find(const xp_symctx *ctx, const char *name) {
    if (!ctx || !name) return -1;
    for (int i = 0; i < ctx->nsyms; i++)
        if (strcmp(ctx->syms[i].name, name) == 0) return i;
    return -1;
}

xp_dim xp_sym_expr(const xp_symctx *ctx, int sym) {
    if (!sym_ok(ctx, sym)) {
        xp_error(XP_ERR_INVALID_ARG, "xp_sym_expr: no symbol %d", sym);
        return XP_DIM_INVALID;
    }
    return xs_handle(ctx->syms[sym].node);
}

int xp_dim_as_symbol(const xp_symctx *ctx, xp_dim d) {
    const xs_node *n = xs_node_of(ctx, d);
    if (!n || n->kind != XS_SYM) return -1;
    return (int)ctx->pool[n->ofs];
}

/* ---- requirements ---- */

void xp_symctx_require(xp_symctx *ctx, xp_rel rel, xp_dim lhs, xp_dim rhs) {
    if (!ctx) return;
    ctx->has_req = true;
    ctx->req = (xp_requirement){.rel = rel, .lhs = lhs, .rhs = rhs};
}

bool xp_symctx_take_requirement(xp_symctx *ctx, xp_requirement *out) {
    if (!ctx || !ctx->has_req) return false;
    if (out) *out = ctx->req;
    ctx->has_req = false;
    return true;
}
