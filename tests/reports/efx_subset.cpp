// The EFX subset: recursive-descent parser and evaluator over XPathSubset.
#include "tests/reports/efx_subset.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "reports/xml.h"
#include "tests/reports/xpath_subset.h"

namespace dps_test {

namespace {

// Location steps of an absolute path: '/' outside predicates and quotes.
std::size_t stepCount(const std::string& xpath) {
  std::size_t steps = 0;
  int depth = 0;
  bool quoted = false;
  for (const char c : xpath) {
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == '/' && depth == 0) ++steps;
  }
  return steps;
}

}  // namespace

std::string EfxModel::relativeTo(const std::string& node, const std::string& target) const {
  const auto start = nodes.find(node);
  if (start == nodes.end()) throw EfxUnsupported("unknown node " + node);
  // Up to the nearest node (the context itself or an ancestor) the target lies under, then down.
  for (std::string n = node; !n.empty() && n != "ND-Root";) {
    const auto it = nodes.find(n);
    if (it == nodes.end()) break;
    const std::string& base = it->second.xpath;
    if (target.size() > base.size() + 1 && target.compare(0, base.size(), base) == 0 && target[base.size()] == '/') {
      std::string up;
      for (std::size_t i = stepCount(start->second.xpath) - stepCount(base); i > 0; --i) up += "../";
      return up + target.substr(base.size() + 1);
    }
    n = it->second.parent;
  }
  return target;
}

std::string EfxModel::pathFrom(const std::string& node, const std::string& field) const {
  const auto f = fields.find(field);
  if (f == fields.end()) throw EfxUnsupported("unknown field " + field);
  return relativeTo(node, f->second.xpath);
}

struct Operand {
  enum Kind { kField, kString, kNumber, kBool, kCount } kind = kString;
  std::string text;                   // the literal, or the field id
  std::shared_ptr<XPathSubset> path;  // kField, kCount: from the enclosing context (or absolute)
  // A field with a predicate, BT-137-Lot[BT-766-Lot == 'x']: the instances of the field's parent
  // node (from the enclosing context, or absolute), the predicate read in each, and the field's
  // path from that node.
  std::shared_ptr<XPathSubset> parents;  // null: the parent node is the enclosing context itself
  std::shared_ptr<const EfxCondition::Expr> predicate;
  std::shared_ptr<XPathSubset> from_parent;
};

struct EfxCondition::Expr {
  enum Kind { kOr, kAnd, kNot, kPresent, kAbsent, kCompare, kIn, kNotIn } kind = kPresent;
  std::vector<std::unique_ptr<Expr>> operands;  // kOr, kAnd, kNot
  Operand left;
  Operand right;                                // kCompare
  std::string op;                               // "==", "!=", "<", "<=", ">", ">="
  std::vector<std::string> list;                // kIn, kNotIn with literals
  bool in_field = false;                        // kIn, kNotIn: the values of `right` instead of `list`
};

namespace {

using Expr = EfxCondition::Expr;

class Parser {
 public:
  Parser(const std::string& text, std::string context, const EfxModel& model)
      : s_(text), context_(std::move(context)), model_(model) {}

  std::unique_ptr<Expr> parseAll() {
    std::unique_ptr<Expr> e = orExpr();
    ws();
    if (i_ != s_.size()) unsupported("unexpected text");
    return e;
  }

 private:
  [[noreturn]] void unsupported(const std::string& what) const {
    throw EfxUnsupported("EFX outside the supported subset (" + what + " at " + std::to_string(i_) + "): " + s_);
  }
  void ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool peekWord(const std::string& w) {
    ws();
    if (s_.compare(i_, w.size(), w) != 0) return false;
    const std::size_t end = i_ + w.size();
    return end >= s_.size() || !(std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '-');
  }
  bool takeWord(const std::string& w) {
    if (!peekWord(w)) return false;
    i_ += w.size();
    return true;
  }
  bool take(const std::string& t) {
    ws();
    if (s_.compare(i_, t.size(), t) != 0) return false;
    i_ += t.size();
    return true;
  }
  void expect(const std::string& t) {
    if (!take(t)) unsupported("expected '" + t + "'");
  }

  std::unique_ptr<Expr> orExpr() {
    std::unique_ptr<Expr> first = andExpr();
    if (!peekWord("or")) return first;
    auto e = std::make_unique<Expr>();
    e->kind = Expr::kOr;
    e->operands.push_back(std::move(first));
    while (takeWord("or")) e->operands.push_back(andExpr());
    return e;
  }
  std::unique_ptr<Expr> andExpr() {
    std::unique_ptr<Expr> first = unary();
    if (!peekWord("and")) return first;
    auto e = std::make_unique<Expr>();
    e->kind = Expr::kAnd;
    e->operands.push_back(std::move(first));
    while (takeWord("and")) e->operands.push_back(unary());
    return e;
  }
  std::unique_ptr<Expr> unary() {
    ws();
    if (peekWord("not")) {
      const std::size_t save = i_;
      i_ += 3;
      if (take("(")) {
        auto e = std::make_unique<Expr>();
        e->kind = Expr::kNot;
        e->operands.push_back(orExpr());
        expect(")");
        return e;
      }
      i_ = save;
    }
    if (take("(")) {
      std::unique_ptr<Expr> e = orExpr();
      expect(")");
      return e;
    }
    return comparison();
  }
  std::unique_ptr<Expr> comparison() {
    auto e = std::make_unique<Expr>();
    e->left = operand();
    if (takeWord("is")) {
      const bool negated = takeWord("not");
      if (!takeWord("present")) unsupported("only 'is present' and 'is not present' are read");
      if (e->left.kind != Operand::kField) unsupported("'is present' of something other than a field");
      e->kind = negated ? Expr::kAbsent : Expr::kPresent;
      return e;
    }
    bool negated_in = false;
    if (peekWord("not")) {
      const std::size_t save = i_;
      takeWord("not");
      if (!peekWord("in")) {
        i_ = save;
        unsupported("'not' that is neither not(...) nor 'not in'");
      }
      negated_in = true;
    }
    if (takeWord("in")) {
      e->kind = negated_in ? Expr::kNotIn : Expr::kIn;
      if (!take("(")) {
        e->right = operand();
        if (e->right.kind != Operand::kField) unsupported("'in' something that is neither a list nor a field");
        e->in_field = true;
        return e;
      }
      ws();
      if (i_ < s_.size() && s_[i_] != '\'' && !std::isdigit(static_cast<unsigned char>(s_[i_])))
        unsupported("'in' a code list");
      do {
        const Operand item = operand();
        if (item.kind != Operand::kString && item.kind != Operand::kNumber) unsupported("a list item that is not a literal");
        e->list.push_back(item.text);
      } while (take(","));
      expect(")");
      return e;
    }
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (take(op)) {
        e->kind = Expr::kCompare;
        e->op = op;
        e->right = operand();
        return e;
      }
    }
    unsupported("a condition that is not a comparison, a membership or a presence test");
  }
  Operand operand() {
    ws();
    Operand o;
    if (i_ < s_.size() && s_[i_] == '\'') {
      const std::size_t end = s_.find('\'', i_ + 1);
      if (end == std::string::npos) unsupported("unterminated string");
      o.kind = Operand::kString;
      o.text = s_.substr(i_ + 1, end - i_ - 1);
      i_ = end + 1;
      return o;
    }
    if (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-')) {
      const std::size_t start = i_;
      ++i_;
      while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) ++i_;
      o.kind = Operand::kNumber;
      o.text = s_.substr(start, i_ - start);
      return o;
    }
    if (takeWord("TRUE") || takeWord("true")) {
      o.kind = Operand::kBool;
      o.text = "true";
      return o;
    }
    if (takeWord("FALSE") || takeWord("false")) {
      o.kind = Operand::kBool;
      o.text = "false";
      return o;
    }
    if (takeWord("count")) {
      expect("(");
      const bool absolute = take("/");
      const std::string id = fieldId();
      expect(")");
      o.kind = Operand::kCount;
      o.text = id;
      o.path = makePath(absolute ? model_.fields.at(id).xpath : model_.pathFrom(context_, id));
      return o;
    }
    const bool absolute = take("/");
    const std::string id = fieldId();
    o.kind = Operand::kField;
    o.text = id;
    ws();
    if (i_ < s_.size() && s_[i_] == '[') {
      ++i_;
      const std::string parent = model_.fields.at(id).parent_node;
      if (parent != context_ || absolute) o.parents = makePath(absolute ? model_.nodes.at(parent).xpath
                                                                        : model_.relativeTo(context_, model_.nodes.at(parent).xpath));
      o.from_parent = makePath(model_.pathFrom(parent, id));
      const std::string outer = context_;
      context_ = parent;
      o.predicate = orExpr();
      context_ = outer;
      expect("]");
      return o;
    }
    o.path = makePath(absolute ? model_.fields.at(id).xpath : model_.pathFrom(context_, id));
    return o;
  }
  // The longest known field id at the cursor (ids contain '-', '(' and ')').
  std::string fieldId() {
    ws();
    std::size_t best = 0;
    for (std::size_t len = 1; i_ + len <= s_.size(); ++len) {
      const char c = s_[i_ + len - 1];
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '(' || c == ')')) break;
      if (model_.fields.count(s_.substr(i_, len))) best = len;
    }
    if (best == 0) unsupported("not a field, literal or function");
    const std::string id = s_.substr(i_, best);
    i_ += best;
    return id;
  }
  std::shared_ptr<XPathSubset> makePath(const std::string& xpath) {
    try {
      return std::make_shared<XPathSubset>(xpath);
    } catch (const std::invalid_argument& e) {
      unsupported(std::string("field path: ") + e.what());
    }
  }

  const std::string& s_;
  std::string context_;  // the node field references are read from
  const EfxModel& model_;
  std::size_t i_ = 0;
};

bool evaluate(const Expr& e, const xercesc::DOMNode* instance);

void appendValues(const XPathSubset& path, const xercesc::DOMNode* from, std::vector<std::string>& out) {
  for (const XPathSubset::Item& item : path.select(from)) {
    const XMLCh* text = item.node->getNodeType() == xercesc::DOMNode::ATTRIBUTE_NODE ? item.node->getNodeValue()
                                                                                      : item.node->getTextContent();
    out.push_back(reports::xml::fromXml(text));
  }
}

std::vector<std::string> valuesOf(const Operand& o, const xercesc::DOMNode* instance) {
  std::vector<std::string> out;
  if (o.kind == Operand::kField && o.predicate) {
    const auto take = [&](const xercesc::DOMNode* parent) {
      if (evaluate(*o.predicate, parent)) appendValues(*o.from_parent, parent, out);
    };
    if (!o.parents) {
      take(instance);
    } else {
      for (const XPathSubset::Item& parent : o.parents->select(instance)) take(parent.node);
    }
  } else if (o.kind == Operand::kField) {
    appendValues(*o.path, instance, out);
  } else if (o.kind == Operand::kCount) {
    out.push_back(std::to_string(o.path->select(instance).size()));
  } else {
    out.push_back(o.text);
  }
  return out;
}

bool compare(const std::string& a, const std::string& op, const std::string& b, bool numeric) {
  if (numeric) {
    const double x = std::strtod(a.c_str(), nullptr);
    const double y = std::strtod(b.c_str(), nullptr);
    if (op == "==") return x == y;
    if (op == "!=") return x != y;
    if (op == "<") return x < y;
    if (op == "<=") return x <= y;
    if (op == ">") return x > y;
    return x >= y;
  }
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

bool evaluate(const Expr& e, const xercesc::DOMNode* instance) {
  switch (e.kind) {
    case Expr::kOr:
      return std::any_of(e.operands.begin(), e.operands.end(), [&](const auto& x) { return evaluate(*x, instance); });
    case Expr::kAnd:
      return std::all_of(e.operands.begin(), e.operands.end(), [&](const auto& x) { return evaluate(*x, instance); });
    case Expr::kNot:
      return !evaluate(*e.operands.front(), instance);
    case Expr::kPresent:
    case Expr::kAbsent: {
      const std::vector<std::string> v = valuesOf(e.left, instance);
      const bool present = std::any_of(v.begin(), v.end(), [](const std::string& s) { return !s.empty(); });
      return e.kind == Expr::kPresent ? present : !present;
    }
    case Expr::kIn:
    case Expr::kNotIn: {
      // A missing value is in no list, and not-in holds only for a value that is there.
      const std::vector<std::string> v = valuesOf(e.left, instance);
      if (v.empty()) return false;
      const std::vector<std::string> set = e.in_field ? valuesOf(e.right, instance) : e.list;
      const bool in = std::any_of(v.begin(), v.end(), [&](const std::string& x) {
        return std::find(set.begin(), set.end(), x) != set.end();
      });
      return e.kind == Expr::kIn ? in : !in;
    }
    case Expr::kCompare: {
      const std::vector<std::string> left = valuesOf(e.left, instance);
      const std::vector<std::string> right = valuesOf(e.right, instance);
      const bool numeric = e.left.kind == Operand::kNumber || e.right.kind == Operand::kNumber ||
                           e.left.kind == Operand::kCount || e.right.kind == Operand::kCount;
      for (const std::string& a : left)
        for (const std::string& b : right)
          if (compare(a, e.op, b, numeric)) return true;
      return false;
    }
  }
  return false;
}

}  // namespace

EfxCondition::EfxCondition(const std::string& text, const EfxModel& model) {
  if (text.size() < 4 || text[0] != '{') throw EfxUnsupported("a condition starts with {ND-...}: " + text);
  const std::size_t close = text.find('}');
  const std::size_t open = text.find("${", close);
  if (close == std::string::npos || open == std::string::npos || text.back() != '}')
    throw EfxUnsupported("a condition reads {ND-...} ${...}: " + text);
  context_ = text.substr(1, close - 1);
  if (!model.nodes.count(context_)) throw EfxUnsupported("unknown context node " + context_);
  const std::string body = text.substr(open + 2, text.size() - open - 3);
  expr_ = Parser(body, context_, model).parseAll();
}

EfxCondition::~EfxCondition() = default;
EfxCondition::EfxCondition(EfxCondition&&) noexcept = default;

bool EfxCondition::holds(const xercesc::DOMNode* instance) const { return evaluate(*expr_, instance); }

}  // namespace dps_test
