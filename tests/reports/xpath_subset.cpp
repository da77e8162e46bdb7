// The XPath subset of fields.json: recursive-descent parser and evaluator.
#include "tests/reports/xpath_subset.h"

#include <cctype>
#include <map>
#include <stdexcept>

#include "reports/xml.h"

namespace dps_test {

using xercesc::DOMElement;
using xercesc::DOMNode;

namespace {

const std::map<std::string, std::string>& prefixes() {
  static const std::map<std::string, std::string> kPrefixes{
      {"cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"},
      {"cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"},
      {"ext", "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"},
      {"efac", "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"},
      {"efext", "http://data.europa.eu/p27/eforms-ubl-extensions/1"},
      {"efbc", "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"}};
  return kPrefixes;
}

}  // namespace

struct Predicate;

struct Step {
  enum Kind { kAnyElement, kElement, kParent, kAttribute, kText } kind = kElement;
  std::u16string ns;
  std::u16string local;
  std::vector<Predicate> predicates;
};

struct XPathSubset::Path {
  bool absolute = false;
  std::vector<Step> steps;
};

struct Predicate {
  enum Kind { kExists, kEquals, kNotEquals, kNot, kAnd, kOr } kind = kExists;
  XPathSubset::Path path;
  std::string literal;
  std::vector<Predicate> operands;
};

namespace {

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  XPathSubset::Path parseAll() {
    XPathSubset::Path p = path();
    ws();
    if (i_ != s_.size()) fail("unexpected text");
    return p;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("XPath outside the supported subset (" + what + " at " + std::to_string(i_) +
                                "): " + s_);
  }
  void ws() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  bool take(const std::string& t) {
    if (s_.compare(i_, t.size(), t) == 0) {
      i_ += t.size();
      return true;
    }
    return false;
  }
  std::string name() {
    const std::size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' || s_[i_] == '_' ||
                              s_[i_] == '.' || s_[i_] == ':'))
      ++i_;
    if (start == i_) fail("a name was expected");
    return s_.substr(start, i_ - start);
  }

  XPathSubset::Path path() {
    XPathSubset::Path p;
    if (take("/")) p.absolute = true;
    for (;;) {
      p.steps.push_back(step(p.absolute && p.steps.empty()));
      if (!take("/")) break;
    }
    return p;
  }

  Step step(bool first_absolute) {
    Step st;
    if (take("..")) {
      st.kind = Step::kParent;
    } else if (take("@")) {
      st.kind = Step::kAttribute;
      st.local = reports::xml::toXml(name());
    } else if (take("text()")) {
      st.kind = Step::kText;
    } else if (take("*")) {
      if (!first_absolute) fail("* is supported only as the root step");
      st.kind = Step::kAnyElement;
    } else {
      const std::string q = name();
      const std::size_t colon = q.find(':');
      if (colon == std::string::npos) fail("an unprefixed element name");
      const auto it = prefixes().find(q.substr(0, colon));
      if (it == prefixes().end()) fail("unknown prefix " + q.substr(0, colon));
      st.ns = reports::xml::toXml(it->second);
      st.local = reports::xml::toXml(q.substr(colon + 1));
    }
    while (take("[")) {
      st.predicates.push_back(orExpr());
      ws();
      if (!take("]")) fail("] expected");
    }
    return st;
  }

  Predicate orExpr() {
    Predicate left = andExpr();
    ws();
    while (take("or ")) {
      Predicate p;
      p.kind = Predicate::kOr;
      p.operands.push_back(std::move(left));
      p.operands.push_back(andExpr());
      left = std::move(p);
      ws();
    }
    return left;
  }
  Predicate andExpr() {
    Predicate left = unary();
    ws();
    while (take("and ")) {
      Predicate p;
      p.kind = Predicate::kAnd;
      p.operands.push_back(std::move(left));
      p.operands.push_back(unary());
      left = std::move(p);
      ws();
    }
    return left;
  }
  Predicate unary() {
    ws();
    Predicate p;
    if (take("not(")) {
      p.kind = Predicate::kNot;
      p.operands.push_back(orExpr());
      ws();
      if (!take(")")) fail(") expected");
      return p;
    }
    p.path = path();
    ws();
    if (take("!=")) {
      p.kind = Predicate::kNotEquals;
    } else if (take("=")) {
      p.kind = Predicate::kEquals;
    } else {
      p.kind = Predicate::kExists;
      return p;
    }
    ws();
    if (!take("'")) fail("a quoted literal expected");
    const std::size_t end = s_.find('\'', i_);
    if (end == std::string::npos) fail("unterminated literal");
    p.literal = s_.substr(i_, end - i_);
    i_ = end + 1;
    return p;
  }

  const std::string& s_;
  std::size_t i_ = 0;
};

std::string valueOf(const XPathSubset::Item& item) {
  return reports::xml::fromXml(item.node->getTextContent());
}

std::vector<XPathSubset::Item> evaluate(const XPathSubset::Path& path, const DOMNode* context);

bool holds(const Predicate& p, const DOMNode* context) {
  switch (p.kind) {
    case Predicate::kExists:
      return !evaluate(p.path, context).empty();
    case Predicate::kEquals:
    case Predicate::kNotEquals:
      for (const XPathSubset::Item& item : evaluate(p.path, context))
        if ((valueOf(item) == p.literal) == (p.kind == Predicate::kEquals)) return true;
      return false;
    case Predicate::kNot:
      return !holds(p.operands[0], context);
    case Predicate::kAnd:
      return holds(p.operands[0], context) && holds(p.operands[1], context);
    case Predicate::kOr:
      return holds(p.operands[0], context) || holds(p.operands[1], context);
  }
  return false;
}

bool matches(const DOMNode* n, const Step& st) {
  const XMLCh* ns = n->getNamespaceURI();
  const XMLCh* local = n->getLocalName();
  return ns != nullptr && local != nullptr && st.ns == ns && st.local == local;
}

std::vector<XPathSubset::Item> evaluate(const XPathSubset::Path& path, const DOMNode* context) {
  std::vector<XPathSubset::Item> current;
  std::size_t first = 0;
  if (path.absolute) {
    const xercesc::DOMDocument* doc =
        context->getNodeType() == DOMNode::DOCUMENT_NODE ? static_cast<const xercesc::DOMDocument*>(context)
                                                          : context->getOwnerDocument();
    const DOMElement* root = doc->getDocumentElement();
    const Step& st = path.steps[0];
    bool ok = st.kind == Step::kAnyElement || (st.kind == Step::kElement && matches(root, st));
    for (const Predicate& p : st.predicates) ok = ok && holds(p, root);
    if (ok) current.push_back({root, false});
    first = 1;  // the root step
  } else {
    current.push_back({context, false});
  }
  for (std::size_t s = first; s < path.steps.size(); ++s) {
    const Step& st = path.steps[s];
    std::vector<XPathSubset::Item> next;
    for (const XPathSubset::Item& item : current) {
      if (item.text || item.node->getNodeType() != DOMNode::ELEMENT_NODE) continue;
      const auto* e = static_cast<const DOMElement*>(item.node);
      switch (st.kind) {
        case Step::kParent:
          if (e->getParentNode() != nullptr && e->getParentNode()->getNodeType() == DOMNode::ELEMENT_NODE)
            next.push_back({e->getParentNode(), false});
          break;
        case Step::kAttribute:
          if (const xercesc::DOMAttr* a = e->getAttributeNode(st.local.c_str())) next.push_back({a, false});
          break;
        case Step::kText:
          next.push_back({e, true});
          break;
        case Step::kAnyElement:
        case Step::kElement:
          for (const DOMElement* c = e->getFirstElementChild(); c != nullptr; c = c->getNextElementSibling()) {
            if (!matches(c, st)) continue;
            bool ok = true;
            for (const Predicate& p : st.predicates) ok = ok && holds(p, c);
            if (ok) next.push_back({c, false});
          }
          break;
      }
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace

XPathSubset::XPathSubset(const std::string& expression)
    : path_(std::make_unique<Path>(Parser(expression).parseAll())) {}
XPathSubset::~XPathSubset() = default;
XPathSubset::XPathSubset(XPathSubset&&) noexcept = default;

std::vector<XPathSubset::Item> XPathSubset::select(const DOMNode* context) const { return evaluate(*path_, context); }

}  // namespace dps_test
