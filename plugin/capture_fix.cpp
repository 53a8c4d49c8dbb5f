// Suggested fixes that converge (torch.export's "suggested fixes", done so
// that applying them once is enough).
//
// The capture of an exported function runs as a fixpoint. When it meets a
// relation between sizes that the declared ranges do not decide (an `if`,
// `?:`, loop or `assert` condition, or a shape function's requirement such
// as matmul's equal inner dims) and one change to the `dim` declarations
// decides it (xp_sym_suggest_fix: a new min or max, a static size, or one
// name for two dims), the capture stops without a word, the change is
// applied to the in-memory declarations, and the function is captured again
// from scratch. This repeats until the capture succeeds or meets an error no
// declaration fixes (at most kMaxFixes changes).
//
// Then each place that needed a change gets one error, in the words of the
// error it replaces, with the change as a Clang fix-it on the pragma text:
// a bound's value replaced (`max=1024` -> `max=16`) or inserted before the
// `dim` pragma's ')' (`, max=16`); for two dims that must be equal, the
// second name replaced by the first in every shape that uses it and the
// second `dim` line removed. Each edit is computed once, from the final
// declarations against the original text, and attached to exactly one error
// (Clang's -fixit would apply a duplicate twice), so the edits never
// conflict and the edited file declares exactly what the last capture ran
// with: compiling it again succeeds in one step. No program is written
// while fixes are pending.
//
// For a condition, the change applied makes the condition as written true
// (the branch the code spells out first, which is what its author most
// likely means; torch.export picks by the example input, and C has none at
// compile time); a note offers the change that makes it false, with its own
// fix-it (-fixit does not apply notes' fix-its).
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "capture_interp.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/raw_ostream.h"

extern "C" {
#include "core/xp_core.h"
}

namespace xport::capture {

using namespace clang;

// Enough for a loop over a dim of 32 sizes; each change costs one capture.
constexpr size_t kMaxFixes = 32;

std::string DimDecls::resolve(const std::string &name) const {
    std::string cur = name;
    for (size_t guard = 0; guard <= merged.size(); guard++) {
        auto it = merged.find(cur);
        if (it == merged.end()) break;
        cur = it->second;
    }
    return cur;
}

// XPORT_LOG is a comma-separated list of topics ("dynamic", or "all").
bool dynamicLogEnabled() {
    const char *env = std::getenv("XPORT_LOG");
    if (!env) return false;
    llvm::SmallVector<llvm::StringRef, 4> topics;
    llvm::StringRef(env).split(topics, ',', -1, false);
    for (llvm::StringRef t : topics) {
        t = t.trim();
        if (t == "dynamic" || t == "all") return true;
    }
    return false;
}

// ---- inside one capture ----

std::string Interp::locText(SourceLocation loc) const {
    PresumedLoc pl = sm_.getPresumedLoc(fileLoc(loc));
    if (pl.isInvalid()) return "<unknown>";
    return std::string(pl.getFilename()) + ":" + std::to_string(pl.getLine()) + ":" + std::to_string(pl.getColumn());
}

static std::string boundText(int64_t b) {
    return b >= XP_SYM_MAX_DEFAULT ? std::string("inf") : std::to_string(b);
}

// "x0 in [0, 16], x1 in [1, inf]"
std::string Interp::plainRanges(const std::vector<int> &syms) const {
    std::string s;
    for (int sym : syms) {
        if (!s.empty()) s += ", ";
        s += std::string(xp_sym_name(prog_->syms, sym)) + " in [" + boundText(xp_sym_min(prog_->syms, sym)) + ", " +
             boundText(xp_sym_max(prog_->syms, sym)) + "]";
    }
    return s;
}

void Interp::recordDecision(const Expr *at, bool value, xp_dim lhs, xp_dim rhs, const std::string &relation) {
    if (!xp_dim_is_sym(lhs) && !xp_dim_is_sym(rhs)) return;
    // Sides equal up to a constant are decided by arithmetic, not by ranges.
    xp_dim diff = xp_dim_sub(prog_->syms, lhs, rhs);
    if (!xp_dim_is_valid(diff))
        xp_clear_error();
    else if (!xp_dim_is_sym(diff))
        return;
    std::vector<int> syms = symbolsOf(lhs);
    for (int s : symbolsOf(rhs))
        if (std::find(syms.begin(), syms.end(), s) == syms.end()) syms.push_back(s);
    std::string src = sourceText(at);
    std::string text = "'" + src + "'";
    if (relation != src) text += " (" + relation + ")";
    text += value ? " is true for " : " is false for ";
    text += plainRanges(syms);
    SourceLocation loc = fileLoc(at->getBeginLoc());
    if (!decisions_.insert({loc.getRawEncoding(), text}).second) return;
    if (xp_program_add_specialization(prog_, srcloc(loc), text.c_str()) != XP_OK) {
        diag_.error(at->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << at->getSourceRange();
        return;
    }
    log_.add("decided " + locText(loc) + ": " + text);
}

static bool holds(const xp_symctx *ctx, const xp_requirement &req) {
    switch (req.rel) {
    case XP_REL_EQ: return xp_dim_eq(ctx, req.lhs, req.rhs) == XP_YES;
    case XP_REL_LE: return xp_dim_le(ctx, req.lhs, req.rhs) == XP_YES;
    case XP_REL_LT: return xp_dim_lt(ctx, req.lhs, req.rhs) == XP_YES;
    }
    return false;
}

bool Interp::changeFor(const xp_requirement &req, DimChange &out) {
    xp_symctx *sc = prog_->syms;
    xp_sym_fix fix{};
    if (xp_sym_suggest_fix(sc, &req, &fix) != XP_OK) {
        xp_clear_error();
        return false;
    }
    if (fix.kind == XP_FIX_NONE) return false;
    char rel[256];
    xp_requirement_format(sc, &req, rel, sizeof rel);
    auto declared = [&](int sym) { return sym >= 0 && sym < xp_sym_count(sc) && dimPragmas_.count(sym); };
    // A symbolic int parameter is its dim: that name cannot change.
    auto intParam = [&](int sym) {
        for (const ParmVarDecl *pv : req_.fn->parameters())
            if (pv->getType()->isIntegerType() && pv->getName() == xp_sym_name(sc, sym)) return true;
        return false;
    };
    out = DimChange();
    out.kind = fix.kind;
    out.relation = rel;
    if (fix.kind == XP_FIX_EQUAL) {
        int keep = fix.sym, drop = fix.other;
        if (!declared(keep) || !declared(drop) || keep == drop) return false;
        if (intParam(drop)) {
            if (intParam(keep)) return false;
            std::swap(keep, drop);
        }
        out.keptMin = std::max(xp_sym_min(sc, keep), xp_sym_min(sc, drop));
        out.keptMax = std::min(xp_sym_max(sc, keep), xp_sym_max(sc, drop));
        if (out.keptMin > out.keptMax) return false;  // no size satisfies both ranges
        out.dim = xp_sym_name(sc, keep);
        out.other = xp_sym_name(sc, drop);
        return true;
    }
    if (!declared(fix.sym)) return false;
    int64_t lo = xp_sym_min(sc, fix.sym), hi = xp_sym_max(sc, fix.sym), nlo = lo, nhi = hi;
    switch (fix.kind) {
    case XP_FIX_MIN: nlo = fix.value; break;
    case XP_FIX_MAX: nhi = fix.value; break;
    case XP_FIX_CONST: nlo = nhi = fix.value; break;
    default: return false;
    }
    // Only a narrower, non-empty range that decides the relation is progress;
    // anything else would meet the same relation again.
    if (nlo < lo || nhi > hi || nlo > nhi || (nlo == lo && nhi == hi)) return false;
    xp_symctx *trial = xp_symctx_clone(sc);
    bool decides = trial && xp_sym_set_range(trial, fix.sym, nlo, nhi) == XP_OK && holds(trial, req);
    if (trial) xp_symctx_free(trial);
    if (!decides) {
        xp_clear_error();
        return false;
    }
    out.dim = xp_sym_name(sc, fix.sym);
    out.value = fix.value;
    return true;
}

bool Interp::offerFix(FixSite site, const xp_requirement *primary, const xp_requirement *alt,
                      const std::vector<int> &syms) {
    if (restart_) return true;
    DimChange change;
    if (site.kind == FixSite::Kind::Loop) {
        // A loop condition is met once per iteration, and each change lets
        // the loop run one iteration further (min=2, then min=3, ...): offer
        // only changes that end, within the fixpoint's budget, at the end
        // of the range. A loop over a dim without a maximum needs `map`.
        if (!primary || !changeFor(*primary, change)) return false;
        int sym = xp_sym_find(prog_->syms, change.dim.c_str());
        if (sym < 0) return false;
        int64_t lo = xp_sym_min(prog_->syms, sym), hi = xp_sym_max(prog_->syms, sym);
        int64_t steps = change.kind == XP_FIX_MIN ? hi - change.value : change.kind == XP_FIX_MAX ? change.value - lo : 0;
        if (steps < 0 || uint64_t(steps) >= decls_.fixesLeft) return false;
        site.fix = change;
        site.fixMakesTrue = true;
        if (alt && !changeFor(*alt, site.alt)) site.alt = DimChange();
    } else if (primary && changeFor(*primary, change)) {
        site.fix = change;
        site.fixMakesTrue = true;
        if (alt && !changeFor(*alt, site.alt)) site.alt = DimChange();
    } else if (alt && changeFor(*alt, change)) {
        site.fix = change;
        site.fixMakesTrue = false;
    } else {
        return false;
    }
    for (int sym : syms) {
        std::string name = xp_sym_name(prog_->syms, sym);
        if (name != site.fix.dim && name != site.fix.other) site.otherDims.push_back(name);
    }
    site.calls = diag_.callStackNotes();
    pendingFix_ = std::move(site);
    restart_ = true;
    // Nothing the unwinding capture says matters: it runs again.
    diag_.setMuted(true);
    diag_.markFailed();
    return true;
}

namespace {

// ---- the fixpoint ----

// The text of a change, for the log: "max=16 on x0", "y0 -> x1".
std::string changeText(const DimChange &c) {
    switch (c.kind) {
    case XP_FIX_MIN: return "min=" + std::to_string(c.value) + " on " + c.dim;
    case XP_FIX_MAX: return "max=" + std::to_string(c.value) + " on " + c.dim;
    case XP_FIX_CONST: return "min=max=" + std::to_string(c.value) + " on " + c.dim;
    case XP_FIX_EQUAL: return c.other + " -> " + c.dim;
    default: return "nothing";
    }
}

// Applies `c` to the declarations; returns the edit keys it touches
// ("min:x0", "max:x0", "merge:y0").
std::vector<std::string> applyChange(DimDecls &decls, const DimChange &c) {
    std::vector<std::string> keys;
    DimDecl &d = decls.dims[c.dim];
    switch (c.kind) {
    case XP_FIX_MIN:
        d.min = c.value;
        keys.push_back("min:" + c.dim);
        break;
    case XP_FIX_MAX:
        d.max = c.value;
        keys.push_back("max:" + c.dim);
        break;
    case XP_FIX_CONST:
        d.min = d.max = c.value;
        keys.push_back("min:" + c.dim);
        keys.push_back("max:" + c.dim);
        break;
    case XP_FIX_EQUAL:
        decls.merged[c.other] = c.dim;
        keys.push_back("merge:" + c.other);
        if (d.min != c.keptMin) keys.push_back("min:" + c.dim);
        if (d.max != c.keptMax) keys.push_back("max:" + c.dim);
        d.min = c.keptMin;
        d.max = c.keptMax;
        break;
    default:
        break;
    }
    return keys;
}

// One edit of the pragma text (a set of fix-its that belong together), and
// whether every part of it could be expressed (not inside a macro).
struct Edit {
    std::vector<FixItHint> hints;
    bool complete = true;
};

class FixReporter {
  public:
    FixReporter(PluginContext &ctx, const ExportRequest &req, const DimDecls &decls,
                const std::set<const PragmaRecord *> &shapeRecords)
        : req_(req), decls_(decls), sm_(ctx.ast->getSourceManager()), diag_(*ctx.diags) {
        for (const PragmaRecord *r : req.inputs) shapeRecords_.insert(r);
        shapeRecords_.insert(shapeRecords.begin(), shapeRecords.end());
    }

    void report(const std::vector<FixSite> &sites, const std::vector<std::vector<std::string>> &siteKeys,
                bool converged);

  private:
    // ---- the pragma text ----

    static std::string tokenText(const PragmaRecord &r, size_t i) {
        int b = r.tokenOffsets[i];
        int e = i + 2 < r.tokenOffsets.size() ? r.tokenOffsets[i + 1] - 1 : r.tokenOffsets[i + 1];
        return r.text.substr(size_t(b), size_t(e - b));
    }
    static int tokenAt(const PragmaRecord &r, int offset) {
        for (size_t i = 0; i + 1 < r.tokenOffsets.size(); i++)
            if (r.tokenOffsets[i] == offset) return int(i);
        return -1;
    }
    bool editable(SourceLocation loc) const { return loc.isValid() && loc.isFileID() && !sm_.isWrittenInScratchSpace(loc); }
    // A pragma written in the file itself (not produced by a macro's _Pragma).
    bool editable(const PragmaRecord &r) const { return editable(r.loc); }

    // Replaces the expression after `min=` / `max=` (up to the next ',' or
    // ')' outside parentheses; it may be a macro) by `value`.
    bool replaceBound(const PragmaRecord &r, int exprOffset, int64_t value, Edit &e) {
        int first = tokenAt(r, exprOffset);
        if (first < 0 || !editable(r)) return false;
        int last = first, depth = 0;
        for (size_t i = size_t(first); i + 1 < r.tokenOffsets.size(); i++) {
            std::string t = tokenText(r, i);
            if (depth == 0 && (t == "," || t == ")")) break;
            if (t == "(") depth++;
            if (t == ")") depth--;
            last = int(i);
        }
        SourceLocation b = r.tokenLocs[size_t(first)], en = r.tokenLocs[size_t(last)];
        if (b.isMacroID()) b = sm_.getExpansionRange(b).getBegin();
        if (en.isMacroID()) en = sm_.getExpansionRange(en).getEnd();
        if (!editable(b) || !editable(en) || sm_.getFileID(b) != sm_.getFileID(en)) return false;
        e.hints.push_back(FixItHint::CreateReplacement(CharSourceRange::getTokenRange(b, en), std::to_string(value)));
        return true;
    }

    // Inserts `text` (", max=16") before the directive's ')'.
    bool insertBeforeClose(const PragmaRecord &r, const std::string &text, Edit &e) {
        int close = tokenAt(r, r.parsed.close_offset);
        if (close < 0 || !editable(r) || !editable(r.tokenLocs[size_t(close)])) return false;
        e.hints.push_back(FixItHint::CreateInsertion(r.tokenLocs[size_t(close)], text));
        return true;
    }

    // The `min=`/`max=` edit of a dim pragma that declares [lo, hi].
    Edit boundsEdit(const PragmaRecord &r, bool setMin, int64_t lo, bool setMax, int64_t hi) {
        Edit e;
        const xp_pragma &p = r.parsed;
        std::string insert;
        if (setMin) {
            if (p.has_min && p.min_offset >= 0)
                e.complete &= replaceBound(r, p.min_offset, lo, e);
            else
                insert += ", min=" + std::to_string(lo);
        }
        if (setMax) {
            if (p.has_max && p.max_offset >= 0)
                e.complete &= replaceBound(r, p.max_offset, hi, e);
            else
                insert += ", max=" + std::to_string(hi);
        }
        if (!insert.empty()) e.complete &= insertBeforeClose(r, insert, e);
        return e;
    }

    // `from` -> `to` in every shape that names `from`, and `from`'s dim line removed.
    Edit mergeEdit(const std::string &from, const std::string &to) {
        Edit e;
        for (const PragmaRecord *r : shapeRecords_) {
            const xp_spec_shape &shape = r->parsed.shape;
            for (int k = 0; k < shape.ndim; k++) {
                const xp_spec_dim &sd = shape.dims[k];
                if (from != sd.name) continue;
                bool found = false;
                for (size_t i = 0; i + 1 < r->tokenOffsets.size() && !found; i++) {
                    int off = r->tokenOffsets[i];
                    if (off < sd.offset || off >= sd.offset + sd.length || tokenText(*r, i) != from) continue;
                    found = true;
                    SourceLocation l = r->tokenLocs[i];
                    if (!editable(*r) || !editable(l)) {
                        e.complete = false;
                        continue;
                    }
                    e.hints.push_back(FixItHint::CreateReplacement(
                        CharSourceRange::getCharRange(l, l.getLocWithOffset(int(from.size()))), to));
                }
                if (!found) e.complete = false;
            }
        }
        auto it = decls_.dims.find(from);
        if (it == decls_.dims.end() || !it->second.rec || !removeLine(*it->second.rec, e)) e.complete = false;
        return e;
    }

    // Removes the line of a `#pragma xport dim(...)` directive.
    bool removeLine(const PragmaRecord &r, Edit &e) {
        if (!editable(r)) return false;
        auto [fid, off] = sm_.getDecomposedLoc(r.loc);
        bool invalid = false;
        llvm::StringRef buf = sm_.getBufferData(fid, &invalid);
        if (invalid || off > buf.size()) return false;
        size_t start = off;
        while (start > 0 && buf[start - 1] != '\n') start--;
        llvm::StringRef head = buf.substr(start, off - start).ltrim(" \t");
        if (!head.starts_with("#")) return false;  // not a line of its own
        size_t end = off;
        while (end < buf.size() && buf[end] != '\n') end += buf[end] == '\\' && end + 1 < buf.size() ? 2 : 1;
        if (end < buf.size()) end++;
        e.hints.push_back(FixItHint::CreateRemoval(
            CharSourceRange::getCharRange(sm_.getComposedLoc(fid, unsigned(start)), sm_.getComposedLoc(fid, unsigned(end)))));
        return true;
    }

    // ---- what the final declarations change ----

    const PragmaRecord *pragmaOf(const std::string &dim) const {
        auto it = decls_.dims.find(dim);
        return it == decls_.dims.end() ? nullptr : it->second.rec;
    }
    static int64_t declaredMin(const PragmaRecord &r) { return r.parsed.has_min ? r.parsed.min : 0; }
    static int64_t declaredMax(const PragmaRecord &r) {
        return r.parsed.has_max ? r.parsed.max : XP_SYM_MAX_DEFAULT;
    }

    // Every edit, by key, from the final declarations.
    void computeEdits() {
        for (const PragmaRecord *r : req_.dims) {
            std::string name = r->parsed.name;
            std::string now = decls_.resolve(name);
            if (now != name) {
                edits_["merge:" + name] = mergeEdit(name, now);
                continue;
            }
            auto it = decls_.dims.find(name);
            if (it == decls_.dims.end()) continue;
            int64_t lo = it->second.min, hi = it->second.max;
            bool setMin = lo != declaredMin(*r), setMax = hi != declaredMax(*r);
            bool insertMin = setMin && !(r->parsed.has_min && r->parsed.min_offset >= 0);
            bool insertMax = setMax && !(r->parsed.has_max && r->parsed.max_offset >= 0);
            if (insertMin && insertMax) {
                // One insertion for both, so that the two can never be applied
                // in the other order.
                edits_["max:" + name] = boundsEdit(*r, true, lo, true, hi);
                edits_["min:" + name] = Edit();
                continue;
            }
            if (setMin) edits_["min:" + name] = boundsEdit(*r, true, lo, false, hi);
            if (setMax) edits_["max:" + name] = boundsEdit(*r, false, lo, true, hi);
        }
    }

    // The edit key with the merged dims followed to the dim they are now.
    std::string resolveKey(const std::string &key) const {
        size_t colon = key.find(':');
        std::string kind = key.substr(0, colon), dim = key.substr(colon + 1);
        if (kind == "merge") return key;
        return kind + ":" + decls_.resolve(dim);
    }

    // "declare dim 'x0' with 'max=16'" from the final declarations (or, for
    // an alternative, from the change itself).
    std::string describe(const DimChange &c, bool final) const {
        auto withBounds = [&](const std::string &dim, bool lo, bool hi, int64_t vlo, int64_t vhi) {
            std::string b;
            if (lo) b += "min=" + std::to_string(vlo);
            if (hi) b += std::string(b.empty() ? "" : ", ") + "max=" + std::to_string(vhi);
            return "declare dim '" + dim + "' with '" + b + "'";
        };
        std::string dim = final ? decls_.resolve(c.dim) : c.dim;
        auto range = [&](bool wantMin) {
            auto it = decls_.dims.find(dim);
            if (!final || it == decls_.dims.end()) return c.value;
            return wantMin ? it->second.min : it->second.max;
        };
        switch (c.kind) {
        case XP_FIX_MIN: return withBounds(dim, true, false, range(true), 0);
        case XP_FIX_MAX: return withBounds(dim, false, true, 0, range(false));
        case XP_FIX_CONST: return withBounds(dim, true, true, range(true), range(false)) + " (a static size)";
        case XP_FIX_EQUAL: {
            std::string s = "use one name for dims '" + dim + "' and '" + c.other + "' (write '" + dim + "' for '" +
                            c.other + "' and remove the declaration of '" + c.other + "')";
            // The one dim takes the sizes both ranges allow.
            const PragmaRecord *r = pragmaOf(dim);
            auto it = decls_.dims.find(dim);
            int64_t lo = final && it != decls_.dims.end() ? it->second.min : c.keptMin;
            int64_t hi = final && it != decls_.dims.end() ? it->second.max : c.keptMax;
            bool setLo = r && lo != declaredMin(*r), setHi = r && hi != declaredMax(*r);
            if (setLo || setHi) s += ", and " + withBounds(dim, setLo, setHi, lo, hi);
            return s;
        }
        default: return "change the declarations";
        }
    }

    // The pragma a note about change `c` points at.
    SourceLocation noteLoc(const DimChange &c, bool final, SourceLocation fallback) const {
        std::string dim = c.kind == XP_FIX_EQUAL ? c.other : (final ? decls_.resolve(c.dim) : c.dim);
        const PragmaRecord *r = pragmaOf(dim);
        return r ? r->locAt(r->parsed.name_offset) : fallback;
    }

    // The fix-its of an alternative change, against the original text.
    std::vector<FixItHint> altHints(const DimChange &c) {
        const PragmaRecord *r = pragmaOf(c.dim);
        Edit e;
        switch (c.kind) {
        case XP_FIX_MIN:
            if (r) e = boundsEdit(*r, true, c.value, false, 0);
            break;
        case XP_FIX_MAX:
            if (r) e = boundsEdit(*r, false, 0, true, c.value);
            break;
        case XP_FIX_CONST:
            if (r) e = boundsEdit(*r, true, c.value, true, c.value);
            break;
        case XP_FIX_EQUAL:
            e = mergeEdit(c.other, c.dim);
            if (r) {
                bool setLo = c.keptMin != declaredMin(*r), setHi = c.keptMax != declaredMax(*r);
                if (setLo || setHi) {
                    Edit b = boundsEdit(*r, setLo, c.keptMin, setHi, c.keptMax);
                    e.hints.insert(e.hints.end(), b.hints.begin(), b.hints.end());
                    e.complete &= b.complete;
                }
            }
            break;
        default:
            e.complete = false;
        }
        if (!r && c.kind != XP_FIX_EQUAL) e.complete = false;
        return e.complete ? e.hints : std::vector<FixItHint>();
    }

    const ExportRequest &req_;
    const DimDecls &decls_;
    SourceManager &sm_;
    Diagnoser diag_;
    std::set<const PragmaRecord *> shapeRecords_;
    std::map<std::string, Edit> edits_;
};

void FixReporter::report(const std::vector<FixSite> &sites, const std::vector<std::vector<std::string>> &siteKeys,
                         bool converged) {
    computeEdits();
    // One error per place: a relation met at one location again (a loop
    // condition on each iteration, a helper inlined twice) is one group;
    // the two comparisons of `a && b` are two.
    std::vector<std::vector<size_t>> groups;
    std::map<std::pair<unsigned, unsigned>, size_t> groupAt;
    std::vector<size_t> groupOf(sites.size());
    for (size_t i = 0; i < sites.size(); i++) {
        std::pair<unsigned, unsigned> place{sites[i].loc.getRawEncoding(), sites[i].relLoc.getRawEncoding()};
        auto [it, fresh] = groupAt.emplace(place, groups.size());
        if (fresh) groups.emplace_back();
        groups[it->second].push_back(i);
        groupOf[i] = it->second;
    }
    // Each edit goes to the last group that needed it (its final value is
    // that group's, and decides every earlier one too).
    std::map<std::string, size_t> owner;
    for (size_t i = 0; i < sites.size(); i++)
        for (const std::string &k : siteKeys[i]) owner[resolveKey(k)] = groupOf[i];
    // (Every edit comes from some change; should one not, the last error
    // carries it, so that the edited file still declares what was captured.)
    for (const auto &entry : edits_)
        if (!groups.empty()) owner.emplace(entry.first, groups.size() - 1);

    for (size_t g = 0; g < groups.size(); g++) {
        const FixSite &first = sites[groups[g].front()];
        const FixSite &last = sites[groups[g].back()];
        std::vector<DiagPart> parts;
        DiagPart err;
        err.loc = first.loc;
        err.ranges.push_back(first.range);
        if (first.kind == FixSite::Kind::Op) {
            err.id = DiagId::OpFailed;
            err.args = {first.message};
        } else {
            err.id = DiagId::Undecided;
            err.args = {first.construct, first.source, first.valueText, first.rangesText};
        }
        // The fix-its: every edit this group owns. An error must carry a
        // fix-it that applies, or -fixit rewrites nothing: a group whose
        // edits all went to another group gets an empty one.
        bool complete = true;
        std::vector<std::string> byHand;
        for (const auto &[key, g2] : owner) {
            if (g2 != g) continue;
            auto it = edits_.find(key);
            if (it == edits_.end()) continue;
            if (!it->second.complete) {
                complete = false;
                byHand.push_back(key.substr(key.find(':') + 1));
            }
            err.fixits.insert(err.fixits.end(), it->second.hints.begin(), it->second.hints.end());
        }
        if (!complete)
            err.fixits.clear();  // a partial edit would not converge: let -fixit refuse
        else if (err.fixits.empty())
            err.fixits.push_back(FixItHint::CreateInsertion(sm_.getExpansionLoc(first.loc), ""));
        parts.push_back(std::move(err));
        parts.insert(parts.end(), first.shapes.begin(), first.shapes.end());

        // What the change is, in words, at the pragma it edits.
        const DimChange &fix = last.fix;
        SourceLocation at = noteLoc(fix, true, first.loc);
        DiagPart what{at, DiagId::NoteFixRelation, {describe(fix, true)}, {}, {}};
        switch (first.kind) {
        case FixSite::Kind::Condition:
            what.id = last.fixMakesTrue ? DiagId::NoteFixCondition : DiagId::NoteFixConditionFalse;
            break;
        case FixSite::Kind::Loop:
            what.id = DiagId::NoteFixLoop;
            break;
        default:
            what.args.push_back(first.fix.relation);
            break;
        }
        parts.push_back(what);
        // The other way, for a condition: its own fix-it, which -fixit leaves
        // alone (it applies errors' fix-its only).
        if ((first.kind == FixSite::Kind::Condition || first.kind == FixSite::Kind::Loop) && first.fixMakesTrue &&
            first.alt.kind != XP_FIX_NONE) {
            DiagPart alt{noteLoc(first.alt, false, first.loc),
                         first.kind == FixSite::Kind::Loop ? DiagId::NoteFixLoopAlt : DiagId::NoteFixConditionAlt,
                         {describe(first.alt, false)},
                         {},
                         altHints(first.alt)};
            parts.push_back(alt);
        }
        if (first.kind == FixSite::Kind::Loop)
            parts.push_back({first.loc, DiagId::NoteLoopNeedsMap, {}, {}, {}});
        for (const std::string &dim : first.otherDims)
            if (const PragmaRecord *r = pragmaOf(dim))
                parts.push_back({r->locAt(r->parsed.name_offset), DiagId::NoteDimDeclaredHere, {dim}, {}, {}});
        for (const std::string &dim : byHand)
            if (const PragmaRecord *r = pragmaOf(dim))
                parts.push_back({r->locAt(r->parsed.name_offset), DiagId::NoteFixByHand, {dim}, {}, {}});
        if (groups[g].front() > 0) parts.push_back({first.loc, DiagId::NoteFixAfterOthers, {}, {}, {}});
        parts.insert(parts.end(), first.calls.begin(), first.calls.end());
        diag_.emit(parts);
    }
    if (!converged) {
        diag_.emit({{req_.exportPragma->loc, DiagId::FixesDidNotConverge,
                     {req_.fn->getNameAsString(), std::to_string(sites.size())}, {}, {}},
                    {req_.exportPragma->loc, DiagId::NoteFixesDidNotConverge, {}, {}, {}}});
    }
}

}  // namespace
}  // namespace xport::capture

namespace xport {

xp_program *captureExport(PluginContext &ctx, const ExportRequest &req) {
    using namespace capture;
    if (!req.fn || !req.fn->hasBody() || req.fn->isInvalidDecl() || !ctx.ast || !ctx.diags) return nullptr;

    DimDecls decls;
    for (const PragmaRecord *r : req.dims) {
        DimDecl d;
        d.rec = r;
        if (r->parsed.has_min) d.min = r->parsed.min;
        if (r->parsed.has_max) d.max = r->parsed.max;
        decls.dims.emplace(r->parsed.name, d);
    }
    DynLog log;
    log.on = dynamicLogEnabled();
    std::string fn = req.fn->getNameAsString();
    auto print = [&](const std::string &line) { llvm::errs() << "xport-dynamic: " << fn << ": " << line << "\n"; };

    std::vector<FixSite> sites;
    std::vector<std::vector<std::string>> siteKeys;
    for (;;) {
        log.lines.clear();
        decls.fixesLeft = kMaxFixes - sites.size();
        Interp interp(ctx, req, decls, log);
        // Held back until the fixes (which come first in the source's story)
        // are reported.
        interp.diagnoser().setBuffering(true);
        xp_program *p = interp.run();
        if (const FixSite *site = interp.restartWith()) {
            if (p) xp_program_free(p);
            sites.push_back(*site);
            siteKeys.push_back(applyChange(decls, site->fix));
            if (log.on) {
                std::string where = interp.locText(site->loc);
                print("fix " + where + ": " + changeText(site->fix) + " for '" + site->fix.relation + "'");
            }
            if (sites.size() >= kMaxFixes) {
                FixReporter(ctx, req, decls, interp.shapeRecords()).report(sites, siteKeys, false);
                if (log.on) print("no program: the suggested fixes did not converge");
                return nullptr;
            }
            if (log.on) print("restart " + std::to_string(sites.size()) + ": capturing again with the fixes applied");
            continue;
        }
        if (log.on)
            for (const std::string &line : log.lines) print(line);
        if (!sites.empty()) FixReporter(ctx, req, decls, interp.shapeRecords()).report(sites, siteKeys, true);
        interp.diagnoser().flush();
        if (sites.empty()) return p;
        if (p) xp_program_free(p);
        if (log.on) print("no program: " + std::to_string(sites.size()) + " suggested fix" + (sites.size() == 1 ? " is" : "es are") + " pending");
        return nullptr;
    }
}

}  // namespace xport
