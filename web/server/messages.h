#pragma once
// The message catalogue of the pages: every user-facing string in English and Slovenian (terms
// from the project glossary). Immutable static data; thread-safe.

#include <string>
#include <vector>

namespace web::server {

struct MessageEntry {
  const char* key;
  const char* en;
  const char* sl;
};

// Every entry of the catalogue.
const std::vector<MessageEntry>& messageCatalogue();
// The text of `key` in `lang` ("en" or "sl"; anything else is Slovenian). An unknown key yields
// "[[key]]" so that a missing entry is visible on the page and caught by the page tests.
std::string message(const std::string& lang, const std::string& key);
// Whether the catalogue has `key`.
bool hasMessage(const std::string& key);
// `text` with {1}, {2}, ... replaced by args[0], args[1], ... (a placeholder without a value stays).
std::string fillMessage(std::string text, const std::vector<std::string>& args);
// The language to use from an Accept-Language header: the first of sl/en by q-value, else "sl".
std::string languageFromAcceptLanguage(const std::string& header);

}  // namespace web::server
