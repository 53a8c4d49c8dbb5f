// Diagnostics in Clang's style for every part of the plugin: lower case, no
// trailing period, the entity in quotes, explanations and remedies as notes.
//
//   xport::error(diags, loc, "'%0' is not a parameter of '%1'") << name << fn;
//   xport::note(diags, fnLoc, "'%0' has parameters %1") << fn << list;
//
// Format strings must be string literals (getCustomDiagID caches IDs by
// text). Clang 19 applies neither -w nor -Werror to custom diagnostic IDs, so
// xport::warning applies them itself, together with the plugin's `strict`
// argument (-fplugin-arg-xport-strict: every xport warning is an error).
#pragma once

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"

namespace xport {

// Set by the plugin action for the translation unit being compiled.
struct DiagPolicy {
    bool strict = false;  // xport warnings are errors
};
DiagPolicy &diagPolicy();

template <unsigned N>
clang::DiagnosticBuilder error(clang::DiagnosticsEngine &diags, clang::SourceLocation loc, const char (&fmt)[N]) {
    return diags.Report(loc, diags.getCustomDiagID(clang::DiagnosticsEngine::Error, fmt));
}

template <unsigned N>
clang::DiagnosticBuilder note(clang::DiagnosticsEngine &diags, clang::SourceLocation loc, const char (&fmt)[N]) {
    return diags.Report(loc, diags.getCustomDiagID(clang::DiagnosticsEngine::Note, fmt));
}

// A warning that honours -w, -Werror and the plugin's `strict` argument.
// Notes that follow an ignored warning are dropped by Clang as well.
inline clang::DiagnosticsEngine::Level warningLevel(const clang::DiagnosticsEngine &diags) {
    if (diagPolicy().strict || diags.getWarningsAsErrors()) return clang::DiagnosticsEngine::Error;
    if (diags.getIgnoreAllWarnings()) return clang::DiagnosticsEngine::Ignored;
    return clang::DiagnosticsEngine::Warning;
}

template <unsigned N>
clang::DiagnosticBuilder warning(clang::DiagnosticsEngine &diags, clang::SourceLocation loc, const char (&fmt)[N]) {
    return diags.Report(loc, diags.getCustomDiagID(warningLevel(diags), fmt));
}

}  // namespace xport
