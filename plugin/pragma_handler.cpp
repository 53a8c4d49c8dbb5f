// The `#pragma xport ...` handler. It only records: the directive's text,
// rebuilt from its tokens, and where each token came from; the C grammar
// parser (runtime/annot) reads the text, and attach.cpp later ties each
// record to the AST by source order.
//
// The directive word is lexed without macro expansion (so a macro named
// `input` cannot change the directive); its arguments are expanded, so
// `f32[BATCH, DIM]` reaches the parser as `f32 [ 8 , 16 ]`. Token spellings
// are joined with single spaces; each token keeps its location, so a parse
// error at byte N of the text becomes a caret on the token in the source
// (and, for a token that came from a macro, Clang's "expanded from macro"
// notes).
#include <algorithm>

#include "clang/Lex/Preprocessor.h"
#include "clang/Lex/Token.h"
#include "diagnostics.h"
#include "infra.h"

namespace xport {

clang::SourceLocation PragmaRecord::locAt(int offset) const {
    if (tokenLocs.empty()) return loc;
    // The last token starting at or before `offset`. The final entry is the
    // end of the line (offset text.size()), so "expected ')'" at the end of
    // the text points just past the last token.
    auto it = std::upper_bound(tokenOffsets.begin(), tokenOffsets.end(), offset);
    size_t i = it == tokenOffsets.begin() ? 0 : static_cast<size_t>(it - tokenOffsets.begin()) - 1;
    clang::SourceLocation l = tokenLocs[i];
    int within = offset - tokenOffsets[i];
    // Inside a token written in the file, point at the byte itself; a token
    // from a macro expansion is indivisible.
    if (within > 0 && l.isFileID() && i + 1 < tokenOffsets.size()) {
        int end = i + 2 < tokenOffsets.size() ? tokenOffsets[i + 1] - 1 : tokenOffsets[i + 1];
        if (tokenOffsets[i] + within < end) return l.getLocWithOffset(within);
    }
    return l;
}

namespace {

bool kindFromWord(llvm::StringRef word, xp_pragma_kind &out) {
    static const xp_pragma_kind kinds[] = {XP_PRAGMA_EXPORT, XP_PRAGMA_INPUT, XP_PRAGMA_DIM,
                                           XP_PRAGMA_PARAM,  XP_PRAGMA_BUFFER, XP_PRAGMA_COND,
                                           XP_PRAGMA_MAP,    XP_PRAGMA_OP,    XP_PRAGMA_META};
    for (xp_pragma_kind k : kinds) {
        if (word == xp_pragma_kind_name(k)) {
            out = k;
            return true;
        }
    }
    return false;
}

class XportPragmaHandler : public clang::PragmaHandler {
  public:
    XportPragmaHandler(std::shared_ptr<TUPragmas> pragmas, clang::DiagnosticsEngine &diags)
        : clang::PragmaHandler("xport"), pragmas_(std::move(pragmas)), diags_(diags) {}

    void HandlePragma(clang::Preprocessor &pp, clang::PragmaIntroducer introducer,
                      clang::Token &xportTok) override {
        PragmaEntry entry;
        entry.rec = std::make_unique<PragmaRecord>();
        PragmaRecord &rec = *entry.rec;
        rec.loc = xportTok.getLocation();
        entry.where = pp.getSourceManager().getExpansionLoc(rec.loc);

        clang::Token tok;
        pp.LexUnexpandedToken(tok);
        std::string word;
        if (tok.is(clang::tok::identifier)) word = tok.getIdentifierInfo()->getName().str();
        while (tok.isNot(clang::tok::eod)) {
            if (!rec.text.empty()) rec.text += ' ';
            rec.tokenOffsets.push_back(static_cast<int>(rec.text.size()));
            rec.tokenLocs.push_back(tok.getLocation());
            rec.text += pp.getSpelling(tok);
            pp.Lex(tok);
        }
        // The end of the line, for errors at the end of the text.
        rec.tokenOffsets.push_back(static_cast<int>(rec.text.size()));
        rec.tokenLocs.push_back(tok.getLocation());

        int errOffset = 0;
        xp_clear_error();
        if (xp_pragma_parse(rec.text.c_str(), &rec.parsed, &errOffset) != XP_OK) {
            error(diags_, rec.locAt(errOffset), "%0") << xp_last_error();
            xp_clear_error();
            // Keep a malformed directive whose kind is known: its export must
            // not be captured, and its dims must not look unused.
            if (!kindFromWord(word, entry.kind)) return;
            entry.ok = false;
        } else {
            entry.kind = rec.parsed.kind;
            entry.ok = true;
        }
        pragmas_->entries.push_back(std::move(entry));
    }

  private:
    std::shared_ptr<TUPragmas> pragmas_;
    clang::DiagnosticsEngine &diags_;
};

}  // namespace

std::unique_ptr<clang::PragmaHandler> makePragmaHandler(std::shared_ptr<TUPragmas> pragmas,
                                                        clang::DiagnosticsEngine &diags) {
    return std::make_unique<XportPragmaHandler>(std::move(pragmas), diags);
}

}  // namespace xport
