// The texts of the capture's diagnostics, in Clang's style: lower case, no
// trailing period, entities in quotes; the explanation and the remedy go in
// notes. Each text is a literal (getCustomDiagID requires one).
#include "capture_diag.h"

#include "clang/AST/Decl.h"

namespace xport::capture {

using Level = clang::DiagnosticsEngine::Level;

unsigned Diagnoser::idFor(DiagId id) {
    auto E = [&](const auto &text) { return de_.getCustomDiagID(Level::Error, text); };
    auto N = [&](const auto &text) { return de_.getCustomDiagID(Level::Note, text); };
    switch (id) {
    // ---- setup ----
    case DiagId::TensorParamNoInput:
        return E("tensor parameter '%0' of exported function '%1' has no declared dtype and shape");
    case DiagId::IntParamNoDim:
        return E("integer parameter '%0' of exported function '%1' is not a declared dim");
    case DiagId::UnsupportedParam:
        return E("parameter '%0' of exported function '%1' has type %2, which an exported program cannot take");
    case DiagId::InputNotTensor:
        return E("'#pragma xport input' describes parameter '%0', which is not a tensor ('xp_tensor *')");
    case DiagId::UnknownDim:
        return E("unknown dim '%0' in the shape of '%1'");
    case DiagId::PragmaRejected:
        return E("%0");
    // ---- statements ----
    case DiagId::UnsupportedStmt:
        return E("%0 is not supported in an exported function");
    case DiagId::UnsupportedPragmaStmt:
        return E("'#pragma xport %0' is not supported by the capture yet");
    case DiagId::Undecided:
        return E("%0 '%1' is not decided by the declared ranges: it is '%2' with %3");
    case DiagId::AssertionFalse:
        return E("assertion '%0' is false for every size in the declared ranges");
    case DiagId::LoopTooLong:
        return E("loops in exported function '%0' run more than %1 iterations in total; "
                 "exported loops are unrolled and need small constant bounds");
    case DiagId::VolatileVar:
        return E("'volatile' variable '%0' cannot be captured in an exported function");
    case DiagId::StaticLocal:
        return E("static local variable '%0' keeps state between calls, which an exported graph cannot have");
    case DiagId::NoReturnValue:
        return E("function '%0' ends without returning a value");
    // ---- expressions ----
    case DiagId::UnsupportedExpr:
        return E("%0 is not supported in an exported function");
    case DiagId::Uninitialized:
        return E("'%0' is used before it is assigned a value");
    case DiagId::NotConstant:
        return E("%0 must be known at export time, but it is %1");
    case DiagId::SymbolicToFloat:
        return E("converting the size '%0' to a floating-point value cannot be captured");
    case DiagId::SymbolicDivisor:
        return E("dividing by the size '%0' cannot be captured: sizes can only be divided by constants");
    case DiagId::MaybeNegativeDivision:
        return E("'%0' may be negative, so '%1' has no single symbolic form (C division truncates, "
                 "sizes divide by flooring)");
    case DiagId::DivisionByZero:
        return E("division by zero");
    case DiagId::IntegerOverflow:
        return E("integer overflow in '%0' at export time");
    case DiagId::PointerToInteger:
        return E("converting %0 to an integer cannot be captured: it has no address in an exported graph");
    case DiagId::BadPointerArith:
        return E("%0 cannot be captured in an exported function");
    case DiagId::IndexNotConstant:
        return E("array index '%0' must be a compile-time constant in an exported function");
    case DiagId::IndexOutOfRange:
        return E("index %0 is outside '%1', which has %2 elements");
    case DiagId::TensorInternals:
        return E("accessing the internals of tensor '%0' cannot be captured: its storage does not exist "
                 "at export time");
    case DiagId::UnionMember:
        return E("union member '%0' cannot be captured in an exported function");
    // ---- globals and the model ----
    case DiagId::GlobalWrite:
        return E("writing to global '%0' cannot be captured: an exported graph has no global state");
    case DiagId::GlobalNotConst:
        return E("reading global '%0', which is not a constant, cannot be captured: its value may change "
                 "at run time");
    case DiagId::ModelWrite:
        return E("writing to '%0' modifies the model struct, which an exported graph cannot do");
    case DiagId::ModelRuntimeField:
        return E("field '%0' of the model is a run-time value; an exported graph cannot depend on it");
    case DiagId::TensorFieldNoPragma:
        return E("tensor field '%0' of '%1' has no declared dtype and shape");
    // ---- calls ----
    case DiagId::CallNotCapturable:
        return E("call to '%0' cannot be captured: it is neither an xport op nor defined in this "
                 "translation unit");
    case DiagId::Recursion:
        return E("recursive call to '%0' cannot be inlined into an exported graph");
    case DiagId::DataDependent:
        return E("reading tensor data with '%0' is data-dependent; an exported graph cannot depend on "
                 "tensor values");
    case DiagId::HostData:
        return E("'%0' copies host memory into a tensor, which an exported graph cannot capture");
    case DiagId::LayoutQuery:
        return E("'%0' reads a tensor's memory layout, which an exported graph does not fix");
    case DiagId::CustomOpUnsupported:
        return E("custom op '%0' cannot be captured yet");
    case DiagId::VariadicCall:
        return E("call to variadic function '%0' cannot be inlined into an exported graph");
    case DiagId::OpArgKind:
        return E("argument '%0' of '%1' must be %2, but it is %3");
    case DiagId::OpArgNotConstant:
        return E("argument '%0' of '%1' must be known at export time, but it is the size '%2'");
    case DiagId::OpFailed:
        return E("%0");
    case DiagId::SizeDimOutOfRange:
        return E("'%0' reads dim %1 of a tensor with %2 dims");
    case DiagId::SymbolicNarrowing:
        return E("converting the size '%0' to %1 may change its value: it is in [%2, %3]");
    // ---- suggested fixes ----
    case DiagId::FixesDidNotConverge:
        return E("suggested fixes for '%0' did not converge after %1 changes to its declarations");
    // ---- results ----
    case DiagId::ReturnNull:
        return E("exported function '%0' returns a null pointer");
    case DiagId::ReturnNotTensor:
        return E("exported function '%0' must return a tensor or a struct of tensors, not %1");
    case DiagId::OutputFieldNotTensor:
        return E("field '%0' of the result of exported function '%1' is %2, not a tensor");
    case DiagId::CaptureFailed:
        return E("%0");
    // ---- notes ----
    case DiagId::NoteAddInputPragma:
        return N("add '#pragma xport input(%0, DTYPE[...])' before the function to declare it");
    case DiagId::NoteExportedParams:
        return N("an exported function takes tensors ('xp_tensor *'), a pointer to the model struct, and "
                 "integer sizes declared with '#pragma xport dim'");
    case DiagId::NoteAddDimPragma:
        return N("add '#pragma xport dim(%0, min=..., max=...)' to make it a symbolic size input, or make it "
                 "a constant");
    case DiagId::NoteDeclareDim:
        return N("declare it with '#pragma xport dim(%0, min=..., max=...)' before the function");
    case DiagId::NoteDimDeclaredHere:
        return N("'%0' is declared here");
    case DiagId::NoteNarrowRangeIf:
        return N("narrow the declared range so that the condition has one value for every size, or mark the "
                 "'if' '#pragma xport cond' to capture both branches");
    case DiagId::NoteNarrowRangeAssert:
        return N("narrow the declared range (min=, max=) so that the assertion holds for every size");
    case DiagId::NoteLoopNeedsMap:
        return N("exported loops are unrolled and need a constant trip count; a loop over a dynamic dim "
                 "needs '#pragma xport map'");
    case DiagId::NoteDefineOrCustomOp:
        return N("define '%0' in this file so that it can be inlined, or declare it a custom op with "
                 "'#pragma xport op(...)'");
    case DiagId::NoteLibraryCall:
        return N("'%0' is a library function whose effects and results are not part of a graph; keep it out of "
                 "the exported code, or wrap the computation in a custom op with '#pragma xport op(...)'");
    case DiagId::NoteRecursion:
        return N("write the recursion as a loop with a constant bound");
    case DiagId::NoteDataDependent:
        return N("compute with tensor ops instead (for example 'xp_where'), or capture a data-dependent "
                 "branch with '#pragma xport cond'");
    case DiagId::NoteHostData:
        return N("build the tensor with ops such as 'xp_full' or 'xp_arange', or pass it in as an input or "
                 "a model buffer");
    case DiagId::NoteLayoutQuery:
        return N("an exported program chooses its own memory layouts; use 'xp_contiguous' where an "
                 "operation needs contiguous data");
    case DiagId::NoteOperandShape:
        return N("'%0' has shape %1");
    case DiagId::NoteAddParamPragma:
        return N("add '#pragma xport param(DTYPE[...])' before the field (or 'buffer(...)' for "
                 "non-trainable state)");
    case DiagId::NoteModelRuntimeField:
        return N("use a '#define', an 'enum' constant or a 'static const' value, or derive the size from a "
                 "tensor with 'xp_size'");
    case DiagId::NoteModelWrite:
        return N("to update a buffer in place, copy into it with 'xp_copy_'");
    case DiagId::NoteGlobalConst:
        return N("declare it 'static const' with a constant initializer, or use a '#define'");
    case DiagId::NoteSymbolicToFloat:
        return N("the conversion would freeze a dynamic size at export time; keep it an integer, or leave the "
                 "dim static");
    case DiagId::NoteSymbolicDivisor:
        return N("sizes in an exported graph are polynomials over the dims with division by constants only");
    case DiagId::NoteInCallFrom:
        return N("in call from '%0'");
    case DiagId::NoteReturnStruct:
        return N("each field of a returned struct becomes one output of the exported program");
    case DiagId::NoteDeclaredHere:
        return N("'%0' is declared here");
    case DiagId::NoteSymbolicNarrowing:
        return N("C would wrap the value where the exported graph keeps the size; store sizes in 'int64_t', or "
                 "declare a range the type can hold");
    case DiagId::NoteFixCondition:
        return N("%0 to make the condition true for every size");
    case DiagId::NoteFixConditionAlt:
        return N("or %0 to make it false for every size");
    case DiagId::NoteFixConditionFalse:
        return N("%0 to make the condition false for every size");
    case DiagId::NoteFixLoop:
        return N("%0 so that the loop runs the same number of times for every size");
    case DiagId::NoteFixLoopAlt:
        return N("or %0 to end the loop there for every size");
    case DiagId::NoteFixRelation:
        return N("%0 so that '%1' holds for every size");
    case DiagId::NoteFixAfterOthers:
        return N("found with the suggested fixes above applied");
    case DiagId::NoteFixByHand:
        return N("the declaration of '%0' comes from a macro expansion; change it by hand");
    case DiagId::NoteFixesDidNotConverge:
        return N("each change let the capture go further and meet another relation the ranges do not decide; "
                 "apply the fix-its and compile again, or declare the ranges by hand");
    }
    return E("%0");
}

// ---- Report ----

Report::Report(Diagnoser &d, clang::SourceLocation loc, DiagId id) : d_(&d) { parts_.push_back({loc, id, {}, {}, {}}); }

Report::Report(Report &&other) noexcept : d_(other.d_), parts_(std::move(other.parts_)) { other.parts_.clear(); }

Report &Report::operator<<(const std::string &s) {
    parts_.back().args.push_back(s);
    return *this;
}

Report &Report::operator<<(clang::SourceRange r) {
    parts_.back().ranges.push_back(r);
    return *this;
}

Report &Report::operator<<(const clang::FixItHint &h) {
    parts_.back().fixits.push_back(h);
    return *this;
}

Report &Report::note(clang::SourceLocation loc, DiagId id) {
    parts_.push_back({loc, id, {}, {}, {}});
    return *this;
}

Report::~Report() {
    if (parts_.empty()) return;
    d_->markFailed();
    std::vector<DiagPart> calls = d_->callStackNotes();
    parts_.insert(parts_.end(), calls.begin(), calls.end());
    d_->submit(std::move(parts_));
}

std::vector<DiagPart> Diagnoser::callStackNotes() const {
    // Innermost first, as Clang lists template instantiation contexts.
    std::vector<DiagPart> notes;
    for (auto it = calls_.rbegin(); it != calls_.rend(); ++it)
        notes.push_back({it->site, DiagId::NoteInCallFrom, {it->caller->getNameAsString()}, {}, {}});
    return notes;
}

void Diagnoser::submit(std::vector<DiagPart> parts) {
    if (muted_) return;
    if (buffering_) {
        pending_.push_back(std::move(parts));
        return;
    }
    emit(parts);
}

void Diagnoser::emit(const std::vector<DiagPart> &parts) {
    for (const DiagPart &p : parts) {
        clang::DiagnosticBuilder b = de_.Report(p.loc, idFor(p.id));
        for (const std::string &a : p.args) b << a;
        for (clang::SourceRange r : p.ranges)
            if (r.isValid()) b << r;
        for (const clang::FixItHint &h : p.fixits) b << h;
    }
}

void Diagnoser::flush() {
    std::vector<std::vector<DiagPart>> pending = std::move(pending_);
    pending_.clear();
    for (const auto &parts : pending) emit(parts);
}

}  // namespace xport::capture
