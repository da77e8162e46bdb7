#pragma once
// A small XPath 1.0 subset over a Xerces-C DOM, enough for the paths of the eForms SDK's
// fields.json: absolute (/*/...) and relative location paths of child steps with the eForms
// prefixes, `..`, `@attr`, `text()`, and predicates made of paths, `path = 'literal'`,
// `path != 'literal'`, not(...), and, or. Anything else is refused with std::invalid_argument
// naming the construct, so a test never silently misreads a path. Thread-safety: immutable.

#include <memory>
#include <string>
#include <vector>

#include <xercesc/dom/DOM.hpp>

namespace dps_test {

class XPathSubset {
 public:
  explicit XPathSubset(const std::string& expression);
  ~XPathSubset();
  XPathSubset(XPathSubset&&) noexcept;

  struct Item {
    const xercesc::DOMNode* node = nullptr;  // an element or an attribute
    bool text = false;                       // text() of the element
  };
  // Absolute paths ignore `context` beyond its document.
  std::vector<Item> select(const xercesc::DOMNode* context) const;

  struct Path;

 private:
  std::unique_ptr<Path> path_;
};

}  // namespace dps_test
