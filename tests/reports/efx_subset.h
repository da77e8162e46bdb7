#pragma once
// A small subset of EFX, the eForms expression language, enough for most conditions of the
// mandatory and forbidden constraints in the SDK's fields.json: "{ND-Context} ${expression}" where
// the expression is made of field references, `is present`, `is not present`, `==`, `!=`, `<`,
// `<=`, `>`, `>=`, `in (...)`, `in field`, `not in`, count(field), /field, field[predicate],
// not(...), and, or, parentheses, string and number literals and TRUE/FALSE. A field is read from
// the context instance: below it, or in the ancestor instance it shares with the field. Anything
// else (iteration, code-list membership, ...) throws EfxUnsupported naming the construct, so a test
// never silently misreads a condition. Thread-safety: immutable after construction.

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <xercesc/dom/DOM.hpp>

namespace dps_test {

struct EfxUnsupported : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// The parts of fields.json the conditions refer to.
struct EfxModel {
  struct Node {
    std::string parent;
    std::string xpath;  // xpathAbsolute
  };
  struct Field {
    std::string parent_node;
    std::string xpath;  // xpathAbsolute
  };
  std::map<std::string, Node> nodes;
  std::map<std::string, Field> fields;

  // The XPath of `target` (an absolute path) from an instance of `node`: up with `..` to the
  // nearest node it lies under (the node itself or an ancestor), then down; absolute when that is
  // only the root.
  std::string relativeTo(const std::string& node, const std::string& target) const;
  // The same for a field's path.
  std::string pathFrom(const std::string& node, const std::string& field) const;
};

class EfxCondition {
 public:
  // Parses "{ND-Context} ${expression}"; throws EfxUnsupported.
  EfxCondition(const std::string& text, const EfxModel& model);
  ~EfxCondition();
  EfxCondition(EfxCondition&&) noexcept;

  const std::string& contextNode() const { return context_; }
  // The condition's value in one instance of the context node.
  bool holds(const xercesc::DOMNode* instance) const;

  struct Expr;

 private:
  std::string context_;
  std::unique_ptr<Expr> expr_;
};

}  // namespace dps_test
