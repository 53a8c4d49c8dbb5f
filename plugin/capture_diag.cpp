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
    case DiagId::Undecided:
        return E("%0 '%1' is not decided by the declared ranges: it is '%2' with %3");
    case DiagId::AssertionFalse:
        return E("assertion '%0' is false for every size in the declared ranges");
    case DiagId::LoopTooLong:
        return E("loops in exported function '%0' run more than %1 iterations in total; "
                 "exported loops are unrolled and need small constant bounds");
    case DiagId::VolatileVar:
        return E("'volatile' variable '%0' cannot be captured: each access is a side effect outside an "
                 "exported graph");
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
    case DiagId::CustomOpNoMeta:
        return E("custom op '%0' has no meta function, so the shape of its result is unknown at export");
    case DiagId::CustomOpMetaResult:
        return E("the meta function of custom op '%0' must return a tensor made with 'xp_empty_like' or "
                 "'xp_empty', not %1");
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
        return E("exported function '%0' must return a tensor or a struct of tensors and sizes, not %1");
    case DiagId::OutputFieldNotTensor:
        return E("field '%0' of the result of exported function '%1' is %2, not a tensor or an int64_t size");
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
    case DiagId::NoteCustomOpAddMeta:
        return N("add '#pragma xport meta(\"%0\")' before a function with the op's parameters that returns "
                 "'xp_empty_like(...)' or 'xp_empty(...)' of the result's dtype and shape");
    case DiagId::NoteCustomOpDeclared:
        return N("custom op '%0' is declared here");
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
        return N("each field of a returned struct becomes one output of the exported program: a tensor, or an int64_t "
                 "size (a SYMINT output)");
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
    // ---- graph breaks (docs/graph-breaks.md) ----
    case DiagId::DataDependentBranch:
        return E("%0 depends on the value of %1; an exported graph cannot branch on data");
    case DiagId::TensorStorage:
        return E("accessing the storage of %1 with '%0' cannot be captured: an exported graph has no storage "
                 "to read or write");
    case DiagId::SideEffectCall:
        return E("call to '%0' cannot be captured: its output is a side effect that an exported graph does "
                 "not perform");
    case DiagId::NonLocalJump:
        return E("'%0' jumps between functions, which an exported graph cannot represent");
    case DiagId::UnresolvedFnPtr:
        return E("call through '%0' cannot be captured: the function it points to is not known at export time");
    case DiagId::VolatileAccess:
        return E("'volatile' access to '%0' cannot be captured: each access is a side effect outside an "
                 "exported graph");
    case DiagId::GotoStmt:
        return E("'goto' cannot be captured: an exported graph has no jumps");
    case DiagId::InlineAsm:
        return E("inline assembly cannot be captured: its effects are invisible to an exported graph");
    case DiagId::VlaLocal:
        return E("variable-length array '%0' cannot be captured: its length is not known at export time");
    case DiagId::NoteMarkCond:
        return N("mark the branch '#pragma xport cond' to capture both sides");
    case DiagId::NoteDataLoop:
        return N("an exported graph runs a fixed number of iterations: bound the loop with a constant and "
                 "select each iteration's result with 'xp_where'");
    case DiagId::NoteDataConditional:
        return N("compute both values and select between them with 'xp_where', or capture both sides with "
                 "'xp_cond'");
    case DiagId::NoteDataSwitch:
        return N("write the cases as 'if' statements marked '#pragma xport cond', or select between their "
                 "results with 'xp_where'");
    case DiagId::NoteShortCircuit:
        return N("'%0' evaluates its right operand only for some values of its left operand");
    case DiagId::NoteShortCircuitFix:
        return N("compute the condition as one bool tensor with tensor ops and branch on it once with "
                 "'#pragma xport cond'");
    case DiagId::NoteTensorStorage:
        return N("compute with tensor ops instead (the analog of PyTorch's '.data'); read results only "
                 "outside the exported function");
    case DiagId::NoteTensorIdentity:
        return N("a tensor in an exported graph is a value without an identity (the analog of 'id(x)'); "
                 "compare shapes with 'xp_size' or values with tensor ops");
    case DiagId::NoteSideEffect:
        return N("move the call out of the exported code; print the exported program's inputs or outputs "
                 "instead");
    case DiagId::NoteGoto:
        return N("use structured control flow: 'if', loops with constant bounds, 'break' and 'continue'");
    case DiagId::NoteInlineAsm:
        return N("express the computation with xport ops, or move it into a custom op with "
                 "'#pragma xport op(...)'");
    case DiagId::NoteNonLocalJump:
        return N("report errors with return values; an exported program checks its inputs with guards");
    case DiagId::NoteVolatile:
        return N("remove 'volatile': an exported graph has no shared or memory-mapped state");
    case DiagId::NoteGlobalWrite:
        return N("return the value from the exported function, or keep the state in a model buffer updated "
                 "with 'xp_copy_'");
    case DiagId::NoteStaticLocal:
        return N("make it 'static const' with a constant initializer, or keep the state in a model buffer "
                 "updated with 'xp_copy_'");
    case DiagId::NoteVla:
        return N("give it a constant length (a '#define' or 'enum' constant)");
    case DiagId::NoteUnresolvedFnPtr:
        return N("call the function by name, or make the pointer a constant (a function name or a "
                 "'static const' function pointer)");
    case DiagId::NoteLoopBound:
        return N("exported loops are unrolled and need a constant bound: make it a constant ('#define', "
                 "'enum', 'static const'), or declare a dim with '#pragma xport dim' and loop over it with "
                 "'#pragma xport map'");
    // ---- cond and map (capture_control.cpp) ----
    case DiagId::ControlFlowFailed:
        return E("%0");
    case DiagId::CondPredPointer:
        return E("the condition of '#pragma xport cond' tests the pointer '%0', not the value of the tensor");
    case DiagId::CondPredNotRelation:
        return E("the condition '%0' of '#pragma xport cond' is neither a tensor value nor a comparison of sizes");
    case DiagId::CondOneSided:
        return E("'%0' is assigned in only one branch of the cond and has no tensor value before the 'if'");
    case DiagId::CondNonTensor:
        return E("'%0' is %1 assigned in a branch of the cond; the branches of a cond can only produce tensors");
    case DiagId::CondMixedReturn:
        return E("one branch of the cond returns and the other does not; a cond needs both to return or neither");
    case DiagId::CondJump:
        return E("'%0' out of a branch of the cond cannot be captured");
    case DiagId::MapLoopForm:
        return E("'#pragma xport map' needs a loop 'for (i = 0; i < xp_size(xs, 0); i++)' over a tensor "
                 "variable 'xs'");
    case DiagId::MapReadsOutside:
        return E("the map body reads '%0' outside slice '%1': each iteration may read only its own slice");
    case DiagId::MapIndexUse:
        return E("the map index '%0' is used outside 'xp_select(xs, 0, %0)'; the body of a map cannot compute "
                 "with its index");
    case DiagId::MapEscape:
        return E("'%0' is declared outside the map body and assigned inside it; nothing but slice writes can "
                 "leave a map");
    case DiagId::MapJump:
        return E("'%0' in the body of a map cannot be captured");
    case DiagId::MapOutputUnwritten:
        return E("the map body does not write slice '%1' of '%0' on every path");
    case DiagId::CfFnUnresolved:
        return E("argument '%0' of '%1' must name a function defined in this translation unit, but it is %2");
    case DiagId::NoteCondPredItem:
        return N("write 'xp_item_bool(%0)' to branch on the tensor's value");
    case DiagId::NoteCondHere:
        return N("in the cond here");
    case DiagId::NoteCondOneSided:
        return N("assign '%0' before the 'if', or in both branches");
    case DiagId::NoteMapHere:
        return N("in the map here");
    case DiagId::NoteMapSlice:
        return N("read 'xp_select(%0, 0, %1)' instead, or compute what the body needs from '%0' before the loop");
    case DiagId::NoteCondPredTensorOps:
        return N("compute the condition as one bool tensor with tensor ops (for example 'xp_gt_scalar(t, 0)') "
                 "and branch on 'xp_item_bool' of it");
    case DiagId::NoteMapOutput:
        return N("write per-slice results with 'xp_copy_(xp_select(ys, 0, %0), value)' into a tensor 'ys' created "
                 "before the loop");
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
