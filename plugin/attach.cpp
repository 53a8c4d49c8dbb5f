// Attaching recorded `#pragma xport` lines to the AST, after parsing and by
// source order (as Clad does with its pragmas): each directive annotates
// the next declaration or statement *in its own scope*.
//
//   export, dim, input, op, meta   at file scope, before a function definition
//   param, buffer                  inside a struct, before an 'xp_tensor *' field
//   cond                           inside a function body, before an 'if'
//   map                            inside a function body, before a 'for'
//
// The scope check matters: a `param` at the end of a struct body must not
// reach the function after the struct, and a `cond` at the end of a block
// must not reach the `if` after the block.
#include <algorithm>
#include <map>
#include <set>

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "diagnostics.h"
#include "infra.h"

namespace xport {
namespace {

using clang::SourceLocation;

enum class Place { Function, Field, Statement };

Place placeOf(xp_pragma_kind k) {
    switch (k) {
    case XP_PRAGMA_PARAM:
    case XP_PRAGMA_BUFFER:
        return Place::Field;
    case XP_PRAGMA_COND:
    case XP_PRAGMA_MAP:
        return Place::Statement;
    default:
        return Place::Function;
    }
}

// A brace-delimited region a pragma can sit in: a struct/union body or a
// function body. Locations are expansion locations.
struct Scope {
    SourceLocation begin, end;
    const clang::RecordDecl *record = nullptr;  // a struct body, or
    const clang::FunctionDecl *fn = nullptr;    // a function body
};

class ScopeCollector : public clang::RecursiveASTVisitor<ScopeCollector> {
  public:
    explicit ScopeCollector(const clang::SourceManager &sm) : sm_(sm) {}

    bool VisitRecordDecl(clang::RecordDecl *rd) {
        clang::SourceRange braces = rd->getBraceRange();
        if (rd->isThisDeclarationADefinition() && braces.isValid())
            scopes.push_back({sm_.getExpansionLoc(braces.getBegin()), sm_.getExpansionLoc(braces.getEnd()), rd,
                              nullptr});
        return true;
    }

    bool VisitFunctionDecl(clang::FunctionDecl *fd) {
        if (!fd->doesThisDeclarationHaveABody()) return true;
        if (const auto *body = llvm::dyn_cast_or_null<clang::CompoundStmt>(fd->getBody()))
            scopes.push_back({sm_.getExpansionLoc(body->getLBracLoc()), sm_.getExpansionLoc(body->getRBracLoc()),
                              nullptr, fd});
        return true;
    }

    std::vector<Scope> scopes;

  private:
    const clang::SourceManager &sm_;
};

// The statements of a function body that sit in statement position (the
// things a pragma line can precede), in pre-order, and its blocks.
struct StmtIndex {
    std::vector<const clang::Stmt *> positions;
    std::vector<const clang::CompoundStmt *> blocks;
};

void indexStatements(const clang::Stmt *s, StmtIndex &ix) {
    auto position = [&ix](const clang::Stmt *child) {
        if (!child) return;
        ix.positions.push_back(child);
        indexStatements(child, ix);
    };
    if (!s) return;
    if (const auto *cs = llvm::dyn_cast<clang::CompoundStmt>(s)) {
        ix.blocks.push_back(cs);
        for (const clang::Stmt *child : cs->body()) position(child);
    } else if (const auto *is = llvm::dyn_cast<clang::IfStmt>(s)) {
        position(is->getThen());
        position(is->getElse());
    } else if (const auto *fs = llvm::dyn_cast<clang::ForStmt>(s)) {
        position(fs->getBody());
    } else if (const auto *ws = llvm::dyn_cast<clang::WhileStmt>(s)) {
        position(ws->getBody());
    } else if (const auto *ds = llvm::dyn_cast<clang::DoStmt>(s)) {
        position(ds->getBody());
    } else if (const auto *ss = llvm::dyn_cast<clang::SwitchStmt>(s)) {
        position(ss->getBody());
    } else if (const auto *sc = llvm::dyn_cast<clang::SwitchCase>(s)) {
        position(sc->getSubStmt());
    } else if (const auto *ls = llvm::dyn_cast<clang::LabelStmt>(s)) {
        position(ls->getSubStmt());
    } else if (const auto *as = llvm::dyn_cast<clang::AttributedStmt>(s)) {
        position(as->getSubStmt());
    }
}

// The pragmas that annotate one function definition.
struct FunctionGroup {
    const clang::FunctionDecl *fn = nullptr;
    std::vector<PragmaEntry *> exports, dims, inputs;
    bool malformed = false;  // one of them failed to parse (already diagnosed)
};

bool isTensorPointer(clang::QualType type) {
    const auto *ptr = type.getCanonicalType()->getAs<clang::PointerType>();
    if (!ptr) return false;
    const auto *rec = ptr->getPointeeType()->getAs<clang::RecordType>();
    return rec && rec->getDecl()->getName() == "xp_tensor";
}

// The closest of `names` to `typo` by edit distance, when close enough to be
// a likely misspelling (Clang's typo-correction threshold).
std::string closestName(llvm::StringRef typo, const std::vector<std::string> &names) {
    std::string best;
    unsigned bestDistance = (static_cast<unsigned>(typo.size()) + 2) / 3 + 1;
    for (const std::string &name : names) {
        unsigned d = typo.edit_distance(name, /*AllowReplacements=*/true, bestDistance);
        // Replacing every character is not a misspelling ('q' for 'x').
        if (d > 0 && d < bestDistance && d < typo.size()) {
            bestDistance = d;
            best = name;
        }
    }
    return best;
}

std::string quotedList(const std::vector<std::string> &names) {
    std::string out;
    for (size_t i = 0; i < names.size(); i++) {
        if (i) out += i + 1 == names.size() ? (names.size() > 2 ? ", and " : " and ") : ", ";
        out += "'" + names[i] + "'";
    }
    return out;
}

class Attacher {
  public:
    Attacher(TUPragmas &pragmas, PluginContext &ctx)
        : pragmas_(pragmas), ctx_(ctx), ast_(*ctx.ast), sm_(ast_.getSourceManager()), diags_(*ctx.diags) {}

    void run(std::vector<ExportRequest> &exports) {
        ScopeCollector collector(sm_);
        collector.TraverseDecl(ast_.getTranslationUnitDecl());
        scopes_ = std::move(collector.scopes);
        indexTopLevelDecls();

        for (PragmaEntry &entry : pragmas_.entries) {
            const Scope *scope = innermostScope(entry.where);
            switch (placeOf(entry.kind)) {
            case Place::Function:
                attachToFunction(entry, scope);
                break;
            case Place::Field:
                attachToField(entry, scope);
                break;
            case Place::Statement:
                attachToStatement(entry, scope);
                break;
            }
        }
        collectUsedDims();
        for (const clang::FunctionDecl *fn : groupOrder_) {
            ExportRequest req;
            if (makeRequest(groups_[fn], req)) exports.push_back(req);
        }
    }

  private:
    bool before(SourceLocation a, SourceLocation b) const { return sm_.isBeforeInTranslationUnit(a, b); }
    SourceLocation begin(const clang::Decl *d) const { return sm_.getExpansionLoc(d->getBeginLoc()); }
    SourceLocation begin(const clang::Stmt *s) const { return sm_.getExpansionLoc(s->getBeginLoc()); }

    // Where diagnostics about a directive point: its directive word.
    static SourceLocation directiveLoc(const PragmaRecord &rec) {
        return rec.tokenLocs.size() > 1 ? rec.tokenLocs[0] : rec.loc;
    }
    static const char *name(const PragmaEntry &e) { return xp_pragma_kind_name(e.kind); }

    const Scope *innermostScope(SourceLocation loc) const {
        const Scope *best = nullptr;
        for (const Scope &s : scopes_)
            if (before(s.begin, loc) && before(loc, s.end) && (!best || before(best->begin, s.begin))) best = &s;
        return best;
    }

    void indexTopLevelDecls() {
        // Declarations arrive in parse order, which is nearly source order
        // ('typedef struct {...} T;' declares the struct before the typedef
        // that starts earlier). Sort by position, ties in parse order.
        std::vector<std::pair<const clang::Decl *, size_t>> decls;
        for (clang::Decl *d : ast_.getTranslationUnitDecl()->decls())
            if (!d->isImplicit() && d->getBeginLoc().isValid()) decls.emplace_back(d, decls.size());
        std::sort(decls.begin(), decls.end(), [this](const auto &a, const auto &b) {
            SourceLocation la = begin(a.first), lb = begin(b.first);
            if (la == lb) return a.second < b.second;
            return before(la, lb);
        });
        for (const auto &d : decls) topLevel_.push_back(d.first);
    }

    const clang::Decl *nextTopLevelDecl(SourceLocation loc) const {
        auto it = std::upper_bound(topLevel_.begin(), topLevel_.end(), loc,
                                   [this](SourceLocation l, const clang::Decl *d) { return before(l, begin(d)); });
        return it == topLevel_.end() ? nullptr : *it;
    }

    // Explains where a misplaced pragma is.
    void noteScope(const PragmaEntry &entry, const Scope *scope) {
        if (!scope) return;
        if (scope->record) {
            const clang::RecordDecl *rd = scope->record;
            std::string what = "an unnamed " + std::string(rd->getKindName());
            if (rd->getIdentifier())
                what = "'" + std::string(rd->getKindName()) + " " + rd->getName().str() + "'";
            else if (const clang::TypedefNameDecl *td = rd->getTypedefNameForAnonDecl())
                what = "'" + td->getName().str() + "'";
            note(diags_, rd->getLocation(), "'#pragma xport %0' is inside the definition of %1") << name(entry) << what;
        } else
            note(diags_, scope->fn->getLocation(), "'#pragma xport %0' is inside the body of '%1'")
                << name(entry) << scope->fn->getName();
    }

    void noteNextDecl(const clang::Decl *next) {
        if (!next) return;
        const auto *fn = llvm::dyn_cast<clang::FunctionDecl>(next);
        if (fn)
            note(diags_, fn->getLocation(), "'%0' is declared here without a body") << fn->getName();
        else
            note(diags_, next->getLocation(), "the next declaration is here");
    }

    // ---- export, dim, input, op, meta ----

    void attachToFunction(PragmaEntry &entry, const Scope *scope) {
        const clang::Decl *next = scope ? nullptr : nextTopLevelDecl(entry.where);
        const auto *fn = llvm::dyn_cast_or_null<clang::FunctionDecl>(next);
        if (!fn || !fn->doesThisDeclarationHaveABody()) {
            if (!entry.ok) return;
            error(diags_, directiveLoc(*entry.rec), "'#pragma xport %0' must be followed by a function definition")
                << name(entry);
            if (scope)
                noteScope(entry, scope);
            else
                noteNextDecl(next);
            return;
        }
        entry.rec->used = true;
        switch (entry.kind) {
        case XP_PRAGMA_OP:
            if (entry.ok) attachOnce(ctx_.opPragmas, fn, entry, "function");
            return;
        case XP_PRAGMA_META:
            if (entry.ok) attachOnce(ctx_.metaPragmas, fn, entry, "function");
            return;
        default:
            break;
        }
        FunctionGroup &group = groups_[fn];
        if (!group.fn) {
            group.fn = fn;
            groupOrder_.push_back(fn);
        }
        if (!entry.ok) group.malformed = true;
        if (entry.kind == XP_PRAGMA_EXPORT)
            group.exports.push_back(&entry);
        else if (entry.kind == XP_PRAGMA_DIM)
            group.dims.push_back(&entry);
        else
            group.inputs.push_back(&entry);
    }

    // Records `entry` for `key` unless an earlier pragma of the same kind
    // already annotates it.
    template <typename Key>
    void attachOnce(std::map<const Key *, PragmaRecord *> &table, const Key *key, PragmaEntry &entry,
                    const char *what) {
        auto [it, inserted] = table.emplace(key, entry.rec.get());
        if (inserted) return;
        error(diags_, directiveLoc(*entry.rec), "this %0 already has a '#pragma xport %1'") << what << name(entry);
        note(diags_, directiveLoc(*it->second), "previous '#pragma xport %0' is here") << name(entry);
    }

    // ---- param, buffer ----

    void attachToField(PragmaEntry &entry, const Scope *scope) {
        if (!entry.ok) return;
        const clang::FieldDecl *field = nullptr;
        if (scope && scope->record)
            for (const clang::FieldDecl *f : scope->record->fields())
                if (before(entry.where, begin(f))) {
                    field = f;
                    break;
                }
        if (!field || !isTensorPointer(field->getType())) {
            error(diags_, directiveLoc(*entry.rec),
                  "'#pragma xport %0' must be followed by a struct field of type 'xp_tensor *'")
                << name(entry);
            if (field)
                note(diags_, field->getLocation(), "'%0' has type %1") << field->getName() << field->getType();
            else if (scope && scope->fn)
                noteScope(entry, scope);
            else if (scope)
                note(diags_, scope->end, "the struct ends here");
            return;
        }
        entry.rec->used = true;
        attachOnce(ctx_.fieldPragmas, field, entry, "field");
    }

    // ---- cond, map ----

    const StmtIndex &statements(const clang::FunctionDecl *fn) {
        auto [it, inserted] = stmtIndex_.try_emplace(fn);
        if (inserted) indexStatements(fn->getBody(), it->second);
        return it->second;
    }

    void attachToStatement(PragmaEntry &entry, const Scope *scope) {
        if (!entry.ok) return;
        bool isCond = entry.kind == XP_PRAGMA_COND;
        const clang::Stmt *next = nullptr;
        SourceLocation blockEnd;
        if (scope && scope->fn) {
            const StmtIndex &ix = statements(scope->fn);
            // The innermost block holding the pragma bounds the search.
            const clang::CompoundStmt *block = nullptr;
            for (const clang::CompoundStmt *b : ix.blocks) {
                SourceLocation lb = sm_.getExpansionLoc(b->getLBracLoc());
                if (before(lb, entry.where) && before(entry.where, sm_.getExpansionLoc(b->getRBracLoc())) &&
                    (!block || before(sm_.getExpansionLoc(block->getLBracLoc()), lb)))
                    block = b;
            }
            SourceLocation end = sm_.getExpansionLoc(block ? block->getRBracLoc() : scope->end);
            blockEnd = end;
            for (const clang::Stmt *s : ix.positions) {
                SourceLocation b = begin(s);
                if (before(entry.where, b) && before(b, end) && (!next || before(b, begin(next)))) next = s;
            }
        }
        bool fits = next && (isCond ? llvm::isa<clang::IfStmt>(next) : llvm::isa<clang::ForStmt>(next));
        if (!fits) {
            if (isCond)
                error(diags_, directiveLoc(*entry.rec), "'#pragma xport cond' must be followed by an 'if' statement");
            else
                error(diags_, directiveLoc(*entry.rec), "'#pragma xport map' must be followed by a 'for' loop");
            if (next)
                note(diags_, begin(next), "the next statement is here");
            else if (blockEnd.isValid())
                note(diags_, blockEnd, "the block ends here");
            else if (scope && scope->record)
                noteScope(entry, scope);
            else
                note(diags_, directiveLoc(*entry.rec), "'#pragma xport %0' belongs inside a function body")
                    << name(entry);
            return;
        }
        entry.rec->used = true;
        attachOnce(ctx_.stmtPragmas, next, entry, "statement");
    }

    // ---- exports ----

    static void addShapeDims(const PragmaEntry &e, std::set<std::string> &names) {
        const xp_spec_shape &shape = e.rec->parsed.shape;
        for (int i = 0; i < shape.ndim; i++)
            if (shape.dims[i].name[0]) names.insert(shape.dims[i].name);
    }

    // Dims that a param or buffer shape mentions (struct fields may use an
    // export's dims).
    void collectUsedDims() {
        for (const PragmaEntry &e : pragmas_.entries)
            if (e.ok && (e.kind == XP_PRAGMA_PARAM || e.kind == XP_PRAGMA_BUFFER)) addShapeDims(e, fieldDims_);
    }

    bool makeRequest(FunctionGroup &g, ExportRequest &req) {
        const clang::FunctionDecl *fn = g.fn;
        if (g.exports.empty()) {
            reportNotExported(g);
            return false;
        }
        for (size_t i = 1; i < g.exports.size(); i++) {
            error(diags_, directiveLoc(*g.exports[i]->rec), "this function already has a '#pragma xport export'");
            note(diags_, directiveLoc(*g.exports[0]->rec), "previous '#pragma xport export' is here");
        }
        if (g.malformed) return false;  // already diagnosed; its dims may look unused
        bool ok = g.exports.size() == 1;

        std::vector<std::string> params;
        for (const clang::ParmVarDecl *p : fn->parameters())
            if (p->getIdentifier()) params.push_back(p->getName().str());

        std::map<std::string, const PragmaEntry *> seenDims;
        for (const PragmaEntry *d : g.dims) {
            const xp_pragma &p = d->rec->parsed;
            auto [it, inserted] = seenDims.emplace(p.name, d);
            if (!inserted) {
                ok = false;
                error(diags_, d->rec->locAt(p.name_offset), "redeclaration of dim '%0'") << p.name;
                note(diags_, it->second->rec->locAt(it->second->rec->parsed.name_offset),
                     "previous declaration is here");
            }
        }

        std::map<std::string, const PragmaEntry *> seenInputs;
        for (const PragmaEntry *in : g.inputs) {
            const xp_pragma &p = in->rec->parsed;
            SourceLocation at = in->rec->locAt(p.name_offset);
            if (std::find(params.begin(), params.end(), p.name) == params.end()) {
                ok = false;
                reportUnknownParameter(*in, at, fn, params);
                continue;
            }
            auto [it, inserted] = seenInputs.emplace(p.name, in);
            if (!inserted) {
                ok = false;
                error(diags_, at, "redeclaration of input '%0'") << p.name;
                note(diags_, it->second->rec->locAt(it->second->rec->parsed.name_offset),
                     "previous declaration is here");
            }
        }

        // A dim is used by an input's shape, a param/buffer shape, or an int
        // parameter of the same name (a symbolic int input).
        std::set<std::string> used(fieldDims_.begin(), fieldDims_.end());
        for (const PragmaEntry *in : g.inputs) addShapeDims(*in, used);
        for (const clang::ParmVarDecl *p : fn->parameters())
            if (p->getIdentifier() && p->getType()->isIntegerType()) used.insert(p->getName().str());
        for (const PragmaEntry *d : g.dims) {
            const char *dimName = d->rec->parsed.name;
            if (used.count(dimName) || seenDims[dimName] != d) continue;
            d->rec->used = false;
            warning(diags_, d->rec->locAt(d->rec->parsed.name_offset), "dim '%0' is not used by any input of '%1'")
                << dimName << fn->getName();
        }
        if (!ok) return false;

        req.fn = fn;
        req.exportPragma = g.exports[0]->rec.get();
        for (PragmaEntry *d : g.dims) req.dims.push_back(d->rec.get());
        for (PragmaEntry *in : g.inputs) req.inputs.push_back(in->rec.get());
        return true;
    }

    void reportUnknownParameter(const PragmaEntry &in, SourceLocation at, const clang::FunctionDecl *fn,
                                const std::vector<std::string> &params) {
        const char *typo = in.rec->parsed.name;
        std::string guess = closestName(typo, params);
        if (!guess.empty()) {
            {
                auto diag = error(diags_, at, "'%0' is not a parameter of '%1'; did you mean '%2'?")
                            << typo << fn->getName() << guess;
                if (at.isFileID())
                    diag << clang::FixItHint::CreateReplacement(
                        clang::CharSourceRange::getCharRange(at, at.getLocWithOffset(static_cast<int>(strlen(typo)))),
                        guess);
            }
            for (const clang::ParmVarDecl *p : fn->parameters())
                if (p->getName() == guess) note(diags_, p->getLocation(), "'%0' declared here") << guess;
            return;
        }
        error(diags_, at, "'%0' is not a parameter of '%1'") << typo << fn->getName();
        if (params.empty())
            note(diags_, fn->getLocation(), "'%0' has no named parameters") << fn->getName();
        else
            note(diags_, fn->getLocation(), "the parameters of '%0' are %1") << fn->getName() << quotedList(params);
    }

    // dim/input on a function without `export`: one error per function,
    // with a fix-it that adds the export line above the first pragma.
    void reportNotExported(const FunctionGroup &g) {
        const PragmaEntry *first = nullptr;
        for (const PragmaEntry *e : g.dims)
            if (e->ok && (!first || before(e->where, first->where))) first = e;
        for (const PragmaEntry *e : g.inputs)
            if (e->ok && (!first || before(e->where, first->where))) first = e;
        if (!first) return;
        error(diags_, directiveLoc(*first->rec), "'#pragma xport %0' describes an exported function, but '%1' is not exported")
            << name(*first) << g.fn->getName();
        // Insert at the start of the pragma's line, with its indentation.
        std::pair<clang::FileID, unsigned> pos = sm_.getDecomposedLoc(first->where);
        bool invalid = false;
        llvm::StringRef buffer = sm_.getBufferData(pos.first, &invalid);
        if (invalid) return;
        unsigned lineStart = pos.second;
        while (lineStart > 0 && buffer[lineStart - 1] != '\n') lineStart--;
        unsigned indentEnd = lineStart;
        while (indentEnd < buffer.size() && (buffer[indentEnd] == ' ' || buffer[indentEnd] == '\t')) indentEnd++;
        std::string indent = buffer.substr(lineStart, indentEnd - lineStart).str();
        SourceLocation at = sm_.getComposedLoc(pos.first, indentEnd);
        note(diags_, at, "add '#pragma xport export' to export '%0'")
            << g.fn->getName() << clang::FixItHint::CreateInsertion(at, "#pragma xport export\n" + indent);
    }

    TUPragmas &pragmas_;
    PluginContext &ctx_;
    clang::ASTContext &ast_;
    const clang::SourceManager &sm_;
    clang::DiagnosticsEngine &diags_;
    std::vector<Scope> scopes_;
    std::vector<const clang::Decl *> topLevel_;
    std::map<const clang::FunctionDecl *, FunctionGroup> groups_;
    std::vector<const clang::FunctionDecl *> groupOrder_;
    std::map<const clang::FunctionDecl *, StmtIndex> stmtIndex_;
    std::set<std::string> fieldDims_;
};

}  // namespace

void attachPragmas(TUPragmas &pragmas, PluginContext &ctx, std::vector<ExportRequest> &exports) {
    Attacher(pragmas, ctx).run(exports);
}

}  // namespace xport
