// One capture of an exported function (capture_fix.cpp runs it until the
// suggested fixes converge): declares the program's symbols from the `dim`
// pragmas, turns the exported function's parameters into graph inputs,
// interprets its body (capture_stmt.cpp and friends) and marks what it
// returns as the program's outputs.
#include "capture_interp.h"

#include "clang/AST/Decl.h"
#include "clang/Lex/Lexer.h"

extern "C" {
#include "core/xp_core.h"
}

namespace xport::capture {

using namespace clang;

const char *describeKind(VK k) {
    switch (k) {
    case VK::Undef: return "an uninitialized value";
    case VK::Int: return "an integer";
    case VK::Bool: return "a bool";
    case VK::Dtype: return "a dtype";
    case VK::Float: return "a floating-point value";
    case VK::Tensor: return "a tensor";
    case VK::Null: return "a null pointer";
    case VK::Pointer: return "a pointer";
    case VK::Array: return "an array";
    case VK::Struct: return "a struct";
    case VK::ModelObj: return "a struct of the model";
    case VK::Function: return "a function";
    case VK::Opaque: return "an opaque handle";
    case VK::Undecided: return "an undecided condition";
    }
    return "a value";
}

Interp::Interp(PluginContext &ctx, const ExportRequest &req, const DimDecls &decls, DynLog &log)
    : ctx_(ctx), req_(req), decls_(decls), log_(log), ast_(*ctx.ast), sm_(ctx.ast->getSourceManager()),
      diag_(*ctx.diags) {}

Interp::~Interp() {
    if (cap_) xp_capture_free(cap_);
    if (prog_) xp_program_free(prog_);
}

std::string Interp::fnName() const { return req_.fn->getNameAsString(); }

std::string Interp::sourceText(const Expr *e) const {
    CharSourceRange r = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(e->getSourceRange()), sm_,
                                                 ast_.getLangOpts());
    std::string s = Lexer::getSourceText(r, sm_, ast_.getLangOpts()).str();
    // Inside a macro's body (the XP_AT_ wrappers of XPORT_CALL_SITES): the
    // text of the whole macro invocation, `xp_sym_le(n, 64)`.
    if (s.empty()) s = Lexer::getSourceText(sm_.getExpansionRange(e->getSourceRange()), sm_, ast_.getLangOpts()).str();
    // One line, and short enough for a message.
    for (char &c : s)
        if (c == '\n' || c == '\t') c = ' ';
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s.empty() ? std::string("expression") : s;
}

xp_program *Interp::run() {
    xp_registry_init();
    const FunctionDecl *fn = req_.fn;
    prog_ = xp_program_new(fnName().c_str());
    if (!prog_) {
        diag_.error(fn->getLocation(), DiagId::CaptureFailed) << xp_last_error();
        return nullptr;
    }
    if (!declareDims()) return nullptr;
    cap_ = xp_capture_new(prog_);
    if (!cap_) {
        diag_.error(fn->getLocation(), DiagId::CaptureFailed) << xp_last_error();
        return nullptr;
    }
    frames_.emplace_back();
    frames_.back().fn = fn;
    if (!bindParams()) return nullptr;

    Flow f = exec(fn->getBody());
    if (f == Flow::Error || diag_.failed()) return nullptr;
    Frame &top = frames_.back();
    if (fn->getReturnType()->isVoidType()) {
        diag_.error(fn->getLocation(), DiagId::ReturnNotTensor) << fnName() << "'void'";
        return nullptr;
    }
    if (!top.returned) {
        diag_.error(fn->getBody()->getEndLoc(), DiagId::NoReturnValue) << fnName();
        return nullptr;
    }
    if (!emitOutputs(top.ret, top.retLoc)) return nullptr;
    if (xp_capture_finish(cap_) != XP_OK) {
        diag_.error(top.retLoc.isValid() ? top.retLoc : fn->getLocation(), DiagId::CaptureFailed) << xp_last_error();
        return nullptr;
    }
    if (diag_.failed()) return nullptr;
    xp_program *p = prog_;
    prog_ = nullptr;
    return p;
}

// ---- symbols ----

bool Interp::declareDims() {
    bool ok = true;
    for (const PragmaRecord *rec : req_.dims) {
        const xp_pragma &p = rec->parsed;
        // A dim that a suggested fix merged into another one is that one.
        std::string now = decls_.resolve(p.name);
        if (now != p.name) {
            log_.add("dim " + std::string(p.name) + " is " + now + " (merged by a suggested fix) at " +
                     locText(rec->locAt(p.name_offset)));
            continue;
        }
        int64_t lo = p.has_min ? p.min : 0;
        int64_t hi = p.has_max ? p.max : XP_SYM_MAX_DEFAULT;
        if (auto it = decls_.dims.find(p.name); it != decls_.dims.end()) {
            lo = it->second.min;
            hi = it->second.max;
        }
        xp_dim d = xp_sym_new(prog_->syms, p.name, lo, hi);
        if (!xp_dim_is_valid(d)) {
            diag_.error(rec->locAt(p.name_offset), DiagId::PragmaRejected) << xp_last_error();
            ok = false;
            continue;
        }
        int sym = xp_dim_as_symbol(prog_->syms, d);
        dimPragmas_[sym] = rec;
        log_.add("symbol " + plainRanges({sym}) + " at " + locText(rec->locAt(p.name_offset)));
    }
    return ok;
}

bool Interp::shapeFromSpec(const xp_spec_shape &spec, const PragmaRecord &rec, const std::string &what,
                           std::vector<xp_dim> &shape) {
    shape.clear();
    shapeRecords_.insert(&rec);
    for (int k = 0; k < spec.ndim; k++) {
        const xp_spec_dim &sd = spec.dims[k];
        if (!sd.name[0]) {
            shape.push_back(sd.b);
            continue;
        }
        int sym = xp_sym_find(prog_->syms, decls_.resolve(sd.name).c_str());
        if (sym < 0) {
            Report r = diag_.error(rec.locAt(sd.offset), DiagId::UnknownDim);
            r << sd.name << what;
            r.note(rec.locAt(sd.offset), DiagId::NoteDeclareDim) << sd.name;
            return false;
        }
        xp_symctx *sc = prog_->syms;
        xp_dim d = xp_dim_add(sc, xp_dim_mul(sc, sd.a, xp_sym_expr(sc, sym)), sd.b);
        if (!xp_dim_is_valid(d)) {
            diag_.error(rec.locAt(sd.offset), DiagId::PragmaRejected) << xp_last_error();
            return false;
        }
        shape.push_back(d);
    }
    return true;
}

// ---- parameters ----

static PragmaRecord *findInput(const ExportRequest &req, StringRef name) {
    for (PragmaRecord *rec : req.inputs)
        if (name == rec->parsed.name) return rec;
    return nullptr;
}

bool Interp::bindParams() {
    const FunctionDecl *fn = req_.fn;
    // Access paths start at the model struct; with several struct-pointer
    // parameters they start with the parameter's name, so they cannot collide.
    auto isModel = [&](QualType t) {
        if (!t->isPointerType() || isTensorPtr(t) || !t->getPointeeType()->isStructureType()) return false;
        const RecordDecl *rd = t->getPointeeType()->getAsRecordDecl();
        return rd && rd->getDefinition();  // an opaque handle (FILE *) is no model
    };
    std::vector<const ParmVarDecl *> roots;
    for (const ParmVarDecl *pv : fn->parameters())
        if (isModel(pv->getType())) roots.push_back(pv);
    bool ok = true;
    Frame &fr = frames_.back();
    for (const ParmVarDecl *pv : fn->parameters()) {
        std::string name = pv->getNameAsString();
        QualType t = pv->getType();
        PragmaRecord *input = findInput(req_, name);
        auto cell = std::make_shared<Cell>();
        cell->var = pv;
        if (isTensorPtr(t)) {
            if (!input) {
                Report r = diag_.error(pv->getLocation(), DiagId::TensorParamNoInput);
                r << name << fnName() << pv->getSourceRange();
                r.note(fn->getBeginLoc(), DiagId::NoteAddInputPragma) << name;
                ok = false;
                continue;
            }
            if (input->parsed.int_input) {
                diag_.error(input->locAt(input->parsed.shape.offset), DiagId::PragmaRejected)
                    << ("'#pragma xport input(" + name + ", int)' describes a tensor parameter; give its dtype and "
                        "shape, as in input(" + name + ", f32[...])");
                ok = false;
                continue;
            }
            const xp_spec_shape &spec = input->parsed.shape;
            std::vector<xp_dim> shape;
            if (!shapeFromSpec(spec, *input, name, shape)) {
                ok = false;
                continue;
            }
            xp_cref ref;
            if (xp_capture_user_input(cap_, name.c_str(), spec.dtype, spec.ndim, shape.data(), &ref) != XP_OK) {
                diag_.error(pv->getLocation(), DiagId::CaptureFailed) << xp_last_error();
                ok = false;
                continue;
            }
            input->used = true;
            cell->v = Value::mkTensor(ref, input->locAt(spec.offset));
            for (size_t k = 0; k < shape.size(); k++)
                if (xp_dim_is_sym(shape[k]))
                    log_.add("input " + name + " dim " + std::to_string(k) + " is " + dimText(shape[k]));
        } else if (input && !(input->parsed.int_input && t->isIntegerType() && !t->isBooleanType())) {
            // input(n, int) on an integer parameter says what dim(n, ...) says
            Report r = diag_.error(input->locAt(input->parsed.name_offset), DiagId::InputNotTensor);
            r << name;
            r.note(pv->getLocation(), DiagId::NoteDeclaredHere) << name;
            ok = false;
            continue;
        } else if (isModel(t)) {
            LValue root;
            root.root = Root::Model;
            root.model = (int)modelRoots_.size();
            root.type = t->getPointeeType();
            modelRoots_.push_back(roots.size() > 1 ? name : std::string());
            modelRootNames_.push_back(name);
            cell->v = Value::mkPointer(root);
        } else if (t->isIntegerType() && !t->isBooleanType()) {
            int sym = xp_sym_find(prog_->syms, name.c_str());
            if (sym < 0) {
                Report r = diag_.error(pv->getLocation(), DiagId::IntParamNoDim);
                r << name << fnName() << pv->getSourceRange();
                r.note(pv->getLocation(), DiagId::NoteAddDimPragma) << name;
                ok = false;
                continue;
            }
            xp_dim d = xp_sym_expr(prog_->syms, sym);
            if (xp_capture_symint_input(cap_, name.c_str(), d) != XP_OK) {
                diag_.error(pv->getLocation(), DiagId::CaptureFailed) << xp_last_error();
                ok = false;
                continue;
            }
            cell->v = Value::mkInt(d);
            log_.add("input " + name + " is " + dimText(d) + " (a symbolic int)");
        } else {
            Report r = diag_.error(pv->getLocation(), DiagId::UnsupportedParam);
            r << name << fnName() << ("'" + t.getAsString() + "'") << pv->getSourceRange();
            r.note(pv->getLocation(), DiagId::NoteExportedParams);
            ok = false;
            continue;
        }
        fr.locals[pv] = cell;
    }
    return ok;
}

// ---- results ----

bool Interp::emitOutputs(const Value &ret, SourceLocation at) {
    if (at.isInvalid()) at = req_.fn->getLocation();
    switch (ret.kind) {
    case VK::Tensor:
        if (xp_capture_output(cap_, ret.t, nullptr) != XP_OK) {
            diag_.error(at, DiagId::CaptureFailed) << xp_last_error();
            return false;
        }
        return true;
    case VK::Null:
        diag_.error(at, DiagId::ReturnNull) << fnName();
        return false;
    case VK::Struct: {
        const RecordDecl *rd = ret.type->getAsRecordDecl();
        bool ok = true;
        for (const FieldDecl *fd : rd->fields()) {
            const Value &fv = ret.elems[fd->getFieldIndex()];
            if (isTensorPtr(fd->getType()) && fv.kind == VK::Tensor) {
                if (xp_capture_output(cap_, fv.t, fd->getNameAsString().c_str()) != XP_OK) {
                    diag_.error(at, DiagId::CaptureFailed) << xp_last_error();
                    return false;
                }
                continue;
            }
            // A size (int64_t: 64 bits hold any size): a SYMINT output.
            QualType ft = fd->getType();
            if (ft->isIntegerType() && !ft->isBooleanType() && ast_.getTypeSize(ft) == 64 && fv.kind == VK::Int) {
                if (xp_capture_output_size(cap_, fv.i, fd->getNameAsString().c_str()) != XP_OK) {
                    diag_.error(at, DiagId::CaptureFailed) << xp_last_error();
                    return false;
                }
                continue;
            }
            std::string what = isTensorPtr(fd->getType()) ? describeKind(fv.kind)
                                                          : "of type '" + fd->getType().getAsString() + "'";
            Report r = diag_.error(at, DiagId::OutputFieldNotTensor);
            r << fd->getNameAsString() << fnName() << what;
            r.note(fd->getLocation(), DiagId::NoteReturnStruct);
            ok = false;
        }
        return ok;
    }
    default:
        diag_.error(at, DiagId::ReturnNotTensor) << fnName() << describeKind(ret.kind);
        return false;
    }
}

}  // namespace xport::capture
