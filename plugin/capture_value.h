// The abstract values of the capture: what a C expression of an exported
// function evaluates to at compile time.
//
// The capture runs the function's AST as an interpreter whose tensors are
// references into the C capture library (xp_cref) and whose integers are
// xp_dim sizes, possibly symbolic. Everything else a model computes with
// (scalars, dtypes, local arrays and structs, pointers into them or into the
// model struct) is a plain compile-time value here, exactly as DESIGN §1
// asks: "plain C values in model code must be compile-time constants or
// sizes derived from tensors".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "clang/AST/Decl.h"
#include "clang/AST/Type.h"
#include "clang/Basic/SourceLocation.h"

extern "C" {
#include "capture/xp_capture.h"
}

namespace xport::capture {

struct Cell;

// One step from an object to a sub-object: a struct member or an array
// element.
struct PathElem {
    const clang::FieldDecl *field = nullptr;  // a member, or
    int64_t index = 0;                        // an element (field == nullptr)
    int64_t bound = -1;                       // element: the array's length, -1 if unknown
};

// Where an object lives.
enum class Root {
    Local,   // a local variable or compound literal of the interpreted code
    Global,  // a file-scope or static variable (read-only: its initializer)
    Model,   // the model struct reached through a struct-pointer parameter
};

// An object designator: a root and a path of members and elements.
struct LValue {
    Root root = Root::Local;
    std::shared_ptr<Cell> cell;                // Local
    const clang::VarDecl *global = nullptr;    // Global
    int model = -1;                            // Model: index into the model roots
    std::vector<PathElem> path;
    clang::QualType type;                      // the designated object's type

    LValue child(PathElem e, clang::QualType t) const {
        LValue l = *this;
        l.path.push_back(e);
        l.type = t;
        return l;
    }
};

enum class VK {
    Undef,      // an uninitialized object
    Int,        // `i`: an integer, possibly a symbolic size
    Bool,       // `i` is 0 or 1
    Dtype,      // `i` is an xp_dtype
    Float,      // `f`
    Tensor,     // `t` (+ `origin`): an `xp_tensor *`
    Null,       // a null pointer
    Pointer,    // `target`: the object pointed to (an array element when its path
                // ends with an index, which pointer arithmetic moves)
    Array,      // `elems`
    Struct,     // `elems`, one per field in declaration order
    ModelObj,   // `target`: a struct of the model copied by value (read-only alias)
    Function,   // `fn`: a function designator (for calls through pointers)
    Opaque,     // a value with no meaning in a graph (an xp_scope *)
    Undecided,  // a condition the declared ranges cannot decide: `text`, `syms`
};

struct Value {
    VK kind = VK::Undef;
    xp_dim i = 0;
    double f = 0;
    xp_cref t = XP_CREF_NONE;
    clang::SourceLocation origin;  // Tensor: where its shape comes from
    LValue target;                 // Pointer, ModelObj
    std::vector<Value> elems;      // Array, Struct
    clang::QualType type;          // Array, Struct: the object's type
    const clang::FunctionDecl *fn = nullptr;
    std::string text;              // Undecided: the condition ("batch > 16")
    std::vector<int> syms;         // Undecided: the symbols it depends on
    // Undecided: the relation that makes the condition true (whenTrue) and
    // the one that makes it false (whenFalse), when C's operator has one
    // (`!=` has no relation that makes it true); the suggested fixes start here.
    bool hasWhenTrue = false, hasWhenFalse = false;
    clang::SourceLocation relLoc;  // the comparison that could not be decided
    xp_requirement whenTrue{}, whenFalse{};

    static Value mkInt(xp_dim v) { Value r; r.kind = VK::Int; r.i = v; return r; }
    static Value mkBool(bool b) { Value r; r.kind = VK::Bool; r.i = b ? 1 : 0; return r; }
    static Value mkDtype(int64_t d) { Value r; r.kind = VK::Dtype; r.i = d; return r; }
    static Value mkFloat(double f) { Value r; r.kind = VK::Float; r.f = f; return r; }
    static Value mkNull() { Value r; r.kind = VK::Null; return r; }
    static Value mkTensor(xp_cref t, clang::SourceLocation origin) {
        Value r; r.kind = VK::Tensor; r.t = t; r.origin = origin; return r;
    }
    static Value mkPointer(LValue target) { Value r; r.kind = VK::Pointer; r.target = std::move(target); return r; }
    // True for a pointer to an array element (pointer arithmetic applies).
    bool intoArray() const { return kind == VK::Pointer && !target.path.empty() && !target.path.back().field; }

    bool isIntLike() const { return kind == VK::Int || kind == VK::Bool || kind == VK::Dtype; }
    bool isConcreteInt() const { return isIntLike() && !xp_dim_is_sym(i); }
    bool isPointerLike() const {
        return kind == VK::Tensor || kind == VK::Null || kind == VK::Pointer || kind == VK::Function ||
               kind == VK::Opaque;
    }
};

// The storage of a local variable, compound literal or argument.
struct Cell {
    Value v;
    const clang::VarDecl *var = nullptr;  // for messages; null for temporaries
};

// "an integer", "a tensor", ... for messages.
const char *describeKind(VK k);

}  // namespace xport::capture
