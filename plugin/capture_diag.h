// The capture's diagnostics: one table of texts (capture_diag.cpp), a
// report that collects an error with its notes and emits them together,
// and the "in call from 'f'" notes that locate an error inside inlined
// helpers.
#pragma once

#include <string>
#include <vector>

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"

namespace clang {
class FunctionDecl;
}

namespace xport::capture {

// Every diagnostic the capture emits. The texts live in capture_diag.cpp;
// each has a -verify test in tests/plugin/verify/capture_*.c.
enum class DiagId {
    // setup: parameters and pragmas
    TensorParamNoInput,
    IntParamNoDim,
    UnsupportedParam,
    InputNotTensor,
    UnknownDim,
    PragmaRejected,
    // statements
    UnsupportedStmt,
    Undecided,
    AssertionFalse,
    LoopTooLong,
    VolatileVar,
    StaticLocal,
    NoReturnValue,
    // expressions
    UnsupportedExpr,
    Uninitialized,
    NotConstant,
    SymbolicToFloat,
    SymbolicDivisor,
    MaybeNegativeDivision,
    DivisionByZero,
    IntegerOverflow,
    PointerToInteger,
    BadPointerArith,
    IndexNotConstant,
    IndexOutOfRange,
    TensorInternals,
    UnionMember,
    // globals and the model struct
    GlobalWrite,
    GlobalNotConst,
    ModelWrite,
    ModelRuntimeField,
    TensorFieldNoPragma,
    // calls
    CallNotCapturable,
    Recursion,
    DataDependent,
    HostData,
    LayoutQuery,
    CustomOpUnsupported,
    CustomOpNoMeta,
    CustomOpMetaResult,
    VariadicCall,
    OpArgKind,
    OpArgNotConstant,
    OpFailed,
    SizeDimOutOfRange,
    SymbolicNarrowing,
    // suggested fixes (capture_fix.cpp)
    FixesDidNotConverge,
    // results
    ReturnNull,
    ReturnNotTensor,
    OutputFieldNotTensor,
    CaptureFailed,
    // notes
    NoteAddInputPragma,
    NoteExportedParams,
    NoteAddDimPragma,
    NoteDeclareDim,
    NoteDimDeclaredHere,
    NoteNarrowRangeIf,
    NoteNarrowRangeAssert,
    NoteLoopNeedsMap,
    NoteDefineOrCustomOp,
    NoteCustomOpAddMeta,
    NoteCustomOpDeclared,
    NoteLibraryCall,
    NoteRecursion,
    NoteDataDependent,
    NoteHostData,
    NoteLayoutQuery,
    NoteOperandShape,
    NoteAddParamPragma,
    NoteModelRuntimeField,
    NoteModelWrite,
    NoteGlobalConst,
    NoteSymbolicToFloat,
    NoteSymbolicDivisor,
    NoteInCallFrom,
    NoteReturnStruct,
    NoteDeclaredHere,
    NoteSymbolicNarrowing,
    NoteFixCondition,
    NoteFixConditionAlt,
    NoteFixConditionFalse,
    NoteFixLoop,
    NoteFixLoopAlt,
    NoteFixRelation,
    NoteFixAfterOthers,
    NoteFixByHand,
    NoteFixesDidNotConverge,
    // graph breaks (capture_break.cpp; catalogue in docs/graph-breaks.md)
    DataDependentBranch,
    TensorStorage,
    SideEffectCall,
    NonLocalJump,
    UnresolvedFnPtr,
    VolatileAccess,
    GotoStmt,
    InlineAsm,
    VlaLocal,
    NoteMarkCond,
    NoteDataLoop,
    NoteDataConditional,
    NoteDataSwitch,
    NoteShortCircuit,
    NoteShortCircuitFix,
    NoteTensorStorage,
    NoteTensorIdentity,
    NoteSideEffect,
    NoteGoto,
    NoteInlineAsm,
    NoteNonLocalJump,
    NoteVolatile,
    NoteGlobalWrite,
    NoteStaticLocal,
    NoteVla,
    NoteUnresolvedFnPtr,
    NoteLoopBound,
    // cond and map (capture_control.cpp)
    ControlFlowFailed,
    CondPredPointer,
    CondPredNotRelation,
    CondOneSided,
    CondNonTensor,
    CondMixedReturn,
    CondJump,
    MapLoopForm,
    MapReadsOutside,
    MapIndexUse,
    MapEscape,
    MapJump,
    MapOutputUnwritten,
    CfFnUnresolved,
    NoteCondPredItem,
    NoteCondHere,
    NoteCondOneSided,
    NoteMapHere,
    NoteMapSlice,
    NoteMapOutput,
    NoteCondPredTensorOps,
};

class Diagnoser;

// One diagnostic of a report: its location, text and arguments.
struct DiagPart {
    clang::SourceLocation loc;
    DiagId id;
    std::vector<std::string> args;
    std::vector<clang::SourceRange> ranges;
    std::vector<clang::FixItHint> fixits;
};

// An error (or warning) and its notes, emitted in order when the report
// goes out of scope, followed by one "in call from" note per inlined call.
class Report {
public:
    Report(Diagnoser &d, clang::SourceLocation loc, DiagId id);
    Report(Report &&other) noexcept;
    Report(const Report &) = delete;
    Report &operator=(const Report &) = delete;
    ~Report();

    Report &operator<<(const std::string &s);
    Report &operator<<(const char *s) { return *this << std::string(s); }
    Report &operator<<(int64_t v) { return *this << std::to_string(v); }
    Report &operator<<(int v) { return *this << std::to_string(v); }
    Report &operator<<(clang::SourceRange r);
    Report &operator<<(const clang::FixItHint &h);
    // Starts a note; later << go to it.
    Report &note(clang::SourceLocation loc, DiagId id);

private:
    Diagnoser *d_;
    std::vector<DiagPart> parts_;
};

class Diagnoser {
public:
    explicit Diagnoser(clang::DiagnosticsEngine &de) : de_(de) {}

    Report error(clang::SourceLocation loc, DiagId id) { return Report(*this, loc, id); }

    // The inlined-call stack: pushed when a helper is entered at `site`
    // from `caller`.
    void pushCall(const clang::FunctionDecl *caller, clang::SourceLocation site) {
        calls_.push_back({caller, site});
    }
    void popCall() { calls_.pop_back(); }
    // The "in call from" notes for the current stack, innermost first.
    std::vector<DiagPart> callStackNotes() const;

    // True once this capture has emitted an error.
    bool failed() const { return failed_; }
    void markFailed() { failed_ = true; }

    // While buffering, reports are kept (in order) until flush(); a capture
    // that is restarted with a suggested fix applied emits nothing. Muted
    // reports are dropped.
    void setBuffering(bool on) { buffering_ = on; }
    void setMuted(bool on) { muted_ = on; }
    void flush();
    // Emits the parts of one report now.
    void emit(const std::vector<DiagPart> &parts);

private:
    friend class Report;
    unsigned idFor(DiagId id);
    void submit(std::vector<DiagPart> parts);

    struct Call {
        const clang::FunctionDecl *caller;
        clang::SourceLocation site;
    };
    clang::DiagnosticsEngine &de_;
    std::vector<Call> calls_;
    bool failed_ = false;
    bool buffering_ = false, muted_ = false;
    std::vector<std::vector<DiagPart>> pending_;
};

}  // namespace xport::capture
