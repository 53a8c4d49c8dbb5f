// Objects: the locals, compound literals and arguments of the interpreted
// code (cells holding abstract values), `const` globals (read from their
// initializers), and the model struct, whose `xp_tensor *` fields become
// PARAMETER/BUFFER inputs named by their access path ("layers.3.attn.wq").
#include "capture_interp.h"

#include "clang/AST/Expr.h"

namespace xport::capture {

using namespace clang;

std::shared_ptr<Cell> Interp::lookupLocal(const VarDecl *vd) {
    auto &locals = frames_.back().locals;
    auto it = locals.find(vd);
    return it == locals.end() ? nullptr : it->second;
}

static std::string recordName(const RecordDecl *rd) {
    if (!rd->getName().empty()) return rd->getName().str();
    if (const TypedefNameDecl *td = rd->getTypedefNameForAnonDecl()) return td->getName().str();
    return "(anonymous struct)";
}

// "layers.3.attn.wq": the name torch.export and the weights file use.
std::string Interp::pathText(const LValue &lv) const {
    std::string s = lv.root == Root::Model && lv.model >= 0 ? modelRoots_[lv.model] : std::string();
    for (const PathElem &e : lv.path) {
        std::string part = e.field ? e.field->getNameAsString() : std::to_string(e.index);
        if (part.empty()) continue;  // a member of an anonymous struct
        if (!s.empty()) s += ".";
        s += part;
    }
    return s;
}

// The object as C source would name it: "m->layers[3].attn", "dims[1]".
std::string Interp::lvalueName(const LValue &lv) const {
    std::string s;
    switch (lv.root) {
    case Root::Local: s = lv.cell && lv.cell->var ? lv.cell->var->getNameAsString() : "(temporary)"; break;
    case Root::Global: s = lv.global->getNameAsString(); break;
    case Root::Model: s = lv.model >= 0 ? modelRootNames_[lv.model] : "model"; break;
    }
    bool arrow = lv.root == Root::Model;
    for (const PathElem &e : lv.path) {
        if (e.field) {
            if (e.field->getName().empty()) continue;
            s += (arrow ? "->" : ".") + e.field->getNameAsString();
        } else {
            s += "[" + std::to_string(e.index) + "]";
        }
        arrow = false;
    }
    return s;
}

// ---- pointers ----

bool Interp::pointee(const Value &ptr, int64_t offset, const Expr *at, LValue &out) {
    switch (ptr.kind) {
    case VK::Pointer:
        break;
    case VK::Tensor: {
        // Name the tensor, not the access: '((float *)x)[0]' reads tensor 'x'.
        const Expr *tensor = at;
        for (int k = 0; k < 8 && !isTensorPtr(tensor->IgnoreParenCasts()->getType()); k++) {
            const Expr *b = tensor->IgnoreParenCasts();
            if (const auto *ae = dyn_cast<ArraySubscriptExpr>(b)) tensor = ae->getBase();
            else if (const auto *uo = dyn_cast<UnaryOperator>(b)) tensor = uo->getSubExpr();
            else if (const auto *bo = dyn_cast<BinaryOperator>(b)) tensor = bo->getLHS();
            else break;
        }
        if (isTensorPtr(tensor->IgnoreParenCasts()->getType())) tensor = tensor->IgnoreParenCasts();
        else tensor = at;
        Report r = diag_.error(at->getExprLoc(), DiagId::TensorInternals);
        r << sourceText(tensor) << at->getSourceRange();
        r.note(at->getExprLoc(), DiagId::NoteTensorStorage);
        return false;
    }
    case VK::Null:
        diag_.error(at->getExprLoc(), DiagId::BadPointerArith)
            << "dereferencing a null pointer" << at->getSourceRange();
        return false;
    case VK::Undef:
        return unsupportedExpr(at, "a pointer that was never assigned");
    default:
        return unsupportedExpr(at, std::string("dereferencing ") + describeKind(ptr.kind));
    }
    out = ptr.target;
    if (ptr.intoArray()) {
        PathElem &e = out.path.back();
        int64_t idx = e.index + offset;
        if (idx < 0 || (e.bound >= 0 && idx >= e.bound)) {
            LValue array = out;
            array.path.pop_back();
            diag_.error(at->getExprLoc(), DiagId::IndexOutOfRange)
                << std::to_string(idx) << lvalueName(array) << std::to_string(e.bound) << at->getSourceRange();
            return false;
        }
        e.index = idx;
    } else if (offset != 0) {
        diag_.error(at->getExprLoc(), DiagId::BadPointerArith)
            << "indexing a pointer to a single object" << at->getSourceRange();
        return false;
    }
    return true;
}

bool Interp::decayArray(const LValue &lv, const Expr *at, Value &out) {
    const ArrayType *at_ = ast_.getAsArrayType(lv.type);
    if (!at_) return unsupportedExpr(at, "this array");
    int64_t bound = -1;
    if (const auto *cat = dyn_cast<ConstantArrayType>(at_)) bound = int64_t(cat->getSize().getZExtValue());
    out = Value::mkPointer(lv.child({nullptr, 0, bound}, at_->getElementType()));
    return true;
}

Value Interp::addressOf(const LValue &lv) { return Value::mkPointer(lv); }

bool Interp::readElements(const Value &ptr, int64_t n, const Expr *at, std::vector<Value> &out) {
    out.clear();
    if (n == 0) return true;
    for (int64_t k = 0; k < n; k++) {
        LValue lv;
        Value v;
        if (!pointee(ptr, k, at, lv) || !load(lv, at, v)) return false;
        out.push_back(std::move(v));
    }
    return true;
}

// ---- reading and writing ----

// Walks `path[from..]` inside a value; a model struct copied into a local
// continues as a model object.
namespace {
struct Walk {
    Value *v = nullptr;
    bool model = false;  // continued into the model: `modelLv` designates the object
    LValue modelLv;
};
}  // namespace

static bool walk(Interp &in, Value *root, const LValue &lv, const Expr *at, Walk &w) {
    Value *cur = root;
    for (size_t k = 0; k < lv.path.size(); k++) {
        const PathElem &e = lv.path[k];
        if (cur->kind == VK::ModelObj) {
            w.model = true;
            w.modelLv = cur->target;
            for (size_t j = k; j < lv.path.size(); j++) w.modelLv.path.push_back(lv.path[j]);
            w.modelLv.type = lv.type;
            return true;
        }
        if (e.field) {
            if (cur->kind != VK::Struct || e.field->getFieldIndex() >= cur->elems.size())
                return in.unsupportedExpr(at, "this member access");
            cur = &cur->elems[e.field->getFieldIndex()];
        } else {
            if (cur->kind != VK::Array) return in.unsupportedExpr(at, "this element access");
            if (e.index < 0 || size_t(e.index) >= cur->elems.size())
                return in.unsupportedExpr(at, "this element access");
            cur = &cur->elems[size_t(e.index)];
        }
    }
    w.v = cur;
    return true;
}

bool Interp::load(const LValue &lv, const Expr *at, Value &out) {
    Value *root = nullptr;
    switch (lv.root) {
    case Root::Model:
        return loadModel(lv, at, out);
    case Root::Global:
        if (!globalValue(lv.global, at, root)) return false;
        break;
    case Root::Local:
        root = &lv.cell->v;
        break;
    }
    Walk w;
    if (!walk(*this, root, lv, at, w)) return false;
    if (w.model) return loadModel(w.modelLv, at, out);
    if (w.v->kind == VK::Undef) {
        diag_.error(at->getExprLoc(), DiagId::Uninitialized) << lvalueName(lv) << at->getSourceRange();
        return false;
    }
    out = *w.v;
    return true;
}

bool Interp::writable(const LValue &lv, const Expr *at) {
    switch (lv.root) {
    case Root::Global: {
        Report r = diag_.error(at->getExprLoc(), DiagId::GlobalWrite);
        r << lvalueName(lv) << at->getSourceRange();
        r.note(at->getExprLoc(), DiagId::NoteGlobalWrite);
        return false;
    }
    case Root::Model: {
        Report r = diag_.error(at->getExprLoc(), DiagId::ModelWrite);
        r << lvalueName(lv) << at->getSourceRange();
        r.note(at->getExprLoc(), DiagId::NoteModelWrite);
        return false;
    }
    case Root::Local:
        break;
    }
    return true;
}

bool Interp::store(const LValue &lv, const Value &v, const Expr *at) {
    if (!writable(lv, at)) return false;
    Walk w;
    if (!walk(*this, &lv.cell->v, lv, at, w)) return false;
    if (w.model) {
        Report r = diag_.error(at->getExprLoc(), DiagId::ModelWrite);
        r << lvalueName(w.modelLv) << at->getSourceRange();
        r.note(at->getExprLoc(), DiagId::NoteModelWrite);
        return false;
    }
    *w.v = v;
    return true;
}

bool Interp::globalValue(const VarDecl *vd, const Expr *at, Value *&out) {
    vd = vd->getCanonicalDecl();
    auto it = globals_.find(vd);
    if (it != globals_.end()) {
        out = &it->second;
        return true;
    }
    const VarDecl *def = nullptr;
    const Expr *init = vd->getAnyInitializer(def);
    if (vd->getType().isVolatileQualified()) {
        Report r = diag_.error(at->getExprLoc(), DiagId::VolatileAccess);
        r << vd->getNameAsString() << at->getSourceRange();
        r.note(vd->getLocation(), DiagId::NoteVolatile);
        return false;
    }
    if (!init || !vd->getType().isConstant(ast_)) {
        if (vd->getType()->isFunctionPointerType()) {
            Report r = diag_.error(at->getExprLoc(), DiagId::UnresolvedFnPtr);
            r << vd->getNameAsString() << at->getSourceRange();
            r.note(vd->getLocation(), DiagId::NoteUnresolvedFnPtr);
            return false;
        }
        Report r = diag_.error(at->getExprLoc(), DiagId::GlobalNotConst);
        r << vd->getNameAsString() << at->getSourceRange();
        r.note(vd->getLocation(), DiagId::NoteGlobalConst);
        if (inLoopCondition(at)) r.note(at->getExprLoc(), DiagId::NoteLoopBound);
        return false;
    }
    if (globalsInProgress_[vd]) return unsupportedExpr(at, "a global whose initializer refers to itself");
    globalsInProgress_[vd] = true;
    Value v;
    bool ok = initValue(def->getType(), init, v);
    globalsInProgress_[vd] = false;
    if (!ok) return false;
    out = &(globals_[vd] = std::move(v));
    return true;
}

// ---- the model struct ----

bool Interp::loadModel(const LValue &lv, const Expr *at, Value &out) {
    QualType t = lv.type.getCanonicalType();
    if (isTensorPtr(t)) return loadWeight(lv, at, out);
    if (t->isPointerType() && !t->getPointeeType()->isFunctionType()) {
        // `Layer *layers` in the model: element k is "layers.k".
        QualType pt = t->getPointeeType();
        out = Value::mkPointer(lv.child({nullptr, 0, -1}, pt));
        return true;
    }
    if (t->isRecordType() || t->isArrayType()) {
        out = Value();
        out.kind = VK::ModelObj;
        out.target = lv;
        return true;
    }
    if (t->isFunctionPointerType()) {
        Report r = diag_.error(at->getExprLoc(), DiagId::UnresolvedFnPtr);
        r << sourceText(at) << at->getSourceRange();
        r.note(at->getExprLoc(), DiagId::NoteUnresolvedFnPtr);
        return false;
    }
    Report r = diag_.error(at->getExprLoc(), DiagId::ModelRuntimeField);
    r << pathText(lv) << at->getSourceRange();
    r.note(at->getExprLoc(), DiagId::NoteModelRuntimeField);
    if (inLoopCondition(at)) r.note(at->getExprLoc(), DiagId::NoteLoopBound);
    return false;
}

bool Interp::loadWeight(const LValue &lv, const Expr *at, Value &out) {
    const FieldDecl *field = nullptr;
    for (auto it = lv.path.rbegin(); it != lv.path.rend() && !field; ++it) field = it->field;
    if (!field) return unsupportedExpr(at, "a model tensor that is not a struct field");
    auto it = ctx_.fieldPragmas.find(field);
    if (it == ctx_.fieldPragmas.end()) {
        Report r = diag_.error(at->getExprLoc(), DiagId::TensorFieldNoPragma);
        r << field->getNameAsString() << recordName(field->getParent()) << at->getSourceRange();
        r.note(field->getLocation(), DiagId::NoteAddParamPragma);
        return false;
    }
    PragmaRecord *rec = it->second;
    const xp_spec_shape &spec = rec->parsed.shape;
    std::string path = pathText(lv);
    std::vector<xp_dim> shape;
    if (!shapeFromSpec(spec, *rec, path, shape)) return false;
    xp_input_kind kind = rec->parsed.kind == XP_PRAGMA_BUFFER ? XP_IN_BUFFER : XP_IN_PARAMETER;
    xp_cref ref;
    if (xp_capture_weight(cap_, kind, path.c_str(), spec.dtype, spec.ndim, shape.data(), &ref) != XP_OK) {
        diag_.error(at->getExprLoc(), DiagId::CaptureFailed) << xp_last_error() << at->getSourceRange();
        return false;
    }
    rec->used = true;
    out = Value::mkTensor(ref, rec->locAt(spec.offset));
    if (log_.on && loggedWeights_.insert(path).second)
        for (size_t k = 0; k < shape.size(); k++)
            if (xp_dim_is_sym(shape[k]))
                log_.add("weight " + path + " dim " + std::to_string(k) + " is " + dimText(shape[k]));
    return true;
}

// ---- initialization ----

bool Interp::defaultValue(QualType t, bool zero, SourceLocation at, Value &out) {
    t = t.getCanonicalType();
    out = Value();
    const ArrayType *arrayType = ast_.getAsArrayType(t);
    if (const auto *cat = dyn_cast_or_null<ConstantArrayType>(arrayType)) {
        uint64_t n = cat->getSize().getZExtValue();
        if (n > kMaxArrayElements) {
            diag_.error(at, DiagId::UnsupportedExpr) << "a local array of " + std::to_string(n) + " elements";
            return false;
        }
        out.kind = VK::Array;
        out.type = t;
        out.elems.resize(n);
        Value elem;
        if (!defaultValue(cat->getElementType(), zero, at, elem)) return false;
        for (Value &e : out.elems) e = elem;
        return true;
    }
    if (isa_and_nonnull<IncompleteArrayType>(arrayType)) {
        out.kind = VK::Array;  // a flexible array member: no elements
        out.type = t;
        return true;
    }
    if (arrayType) {
        diag_.error(at, DiagId::UnsupportedExpr) << "a variable-length array";
        return false;
    }
    if (const auto *rt = t->getAs<RecordType>()) {
        const RecordDecl *rd = rt->getDecl()->getDefinition();
        if (!rd) {
            diag_.error(at, DiagId::UnsupportedExpr) << "an object of incomplete type '" + t.getAsString() + "'";
            return false;
        }
        if (rd->isUnion()) {
            diag_.error(at, DiagId::UnsupportedExpr) << "a union";
            return false;
        }
        out.kind = VK::Struct;
        out.type = t;
        for (const FieldDecl *fd : rd->fields()) {
            Value f;
            if (!defaultValue(fd->getType(), zero, at, f)) return false;
            out.elems.push_back(std::move(f));
        }
        return true;
    }
    if (!zero) return true;  // Undef
    if (t->isIntegralOrEnumerationType()) out = intOfType(0, t);
    else if (t->isRealFloatingType()) out = Value::mkFloat(0);
    else if (t->isPointerType()) out = Value::mkNull();
    return true;
}

bool Interp::initValue(QualType t, const Expr *init, Value &out) {
    const auto *ile = dyn_cast<InitListExpr>(init->IgnoreParens());
    if (!ile) {
        if (isa<ImplicitValueInitExpr>(init)) return defaultValue(t, true, init->getExprLoc(), out);
        if (ast_.getAsArrayType(t) && isa<StringLiteral>(init->IgnoreParens()))
            return unsupportedExpr(init, "a string literal");
        return eval(init, out);
    }
    if (ile->isSyntacticForm() && ile->getSemanticForm()) ile = ile->getSemanticForm();
    QualType ct = t.getCanonicalType();
    if (const ArrayType *arr = ast_.getAsArrayType(ct)) {
        if (!defaultValue(ct, true, ile->getExprLoc(), out)) return false;
        if (ile->isStringLiteralInit()) return unsupportedExpr(init, "a string literal");
        unsigned n = ile->getNumInits();
        if (out.elems.size() < n) out.elems.resize(n);
        for (unsigned k = 0; k < n; k++)
            if (!initValue(arr->getElementType(), ile->getInit(k), out.elems[k])) return false;
        return true;
    }
    if (const auto *rt = ct->getAs<RecordType>()) {
        const RecordDecl *rd = rt->getDecl()->getDefinition();
        if (!rd || rd->isUnion()) return unsupportedExpr(init, "initializing a union");
        if (!defaultValue(ct, true, ile->getExprLoc(), out)) return false;
        unsigned k = 0;
        for (const FieldDecl *fd : rd->fields()) {
            if (fd->isUnnamedBitField()) continue;
            if (k >= ile->getNumInits()) break;
            if (!initValue(fd->getType(), ile->getInit(k), out.elems[fd->getFieldIndex()])) return false;
            k++;
        }
        return true;
    }
    // A scalar in braces: `int n = {4};`
    if (ile->getNumInits() == 0) return defaultValue(ct, true, ile->getExprLoc(), out);
    return initValue(t, ile->getInit(0), out);
}

}  // namespace xport::capture
