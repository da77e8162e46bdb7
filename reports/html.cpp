// HTML page frame, tables and inline SVG charts of the reports.
#include "reports/html.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace reports::html {

namespace {

constexpr std::array<const char*, 6> kColours{"#2f6f4f", "#c8873a", "#4a78b0", "#9b5ea8", "#7a9a2e", "#b04a4a"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

std::string esc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string page(const std::string& lang, const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"" + esc(lang) +
         "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, "
         "initial-scale=1\">\n<title>" +
         esc(title) +
         "</title>\n<style>\n"
         "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:60rem;"
         "padding:0 1rem;color:#1d2a22;line-height:1.45}\n"
         "h1{font-size:1.6rem;border-bottom:3px solid #2f6f4f;padding-bottom:.3rem}h2{font-size:1.2rem;margin-top:2rem}\n"
         "table{border-collapse:collapse;width:100%;margin:.8rem 0;font-size:.92rem}\n"
         "th,td{border:1px solid #c9d3cc;padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
         "th{background:#eef3ef}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
         "dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}\n"
         ".flag{color:#9a3b12;font-weight:600}.ok{color:#2f6f4f;font-weight:600}.late{color:#b00020;font-weight:600}\n"
         "figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}\n"
         "@media print{body{margin:0}}\n"
         "</style>\n</head>\n<body>\n" +
         body + "</body>\n</html>\n";
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& numeric) {
  std::string out = "<table>\n<thead><tr>";
  for (const std::string& h : header) out += "<th scope=\"col\">" + esc(h) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i)
      out += (i < numeric.size() && numeric[i] ? "<td class=\"n\">" : "<td>") + esc(row[i]) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string facts(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "<dl>\n";
  for (const auto& [k, v] : items) out += "<dt>" + esc(k) + "</dt><dd>" + esc(v) + "</dd>\n";
  return out + "</dl>\n";
}

std::string barChart(const std::string& title, const std::vector<Bar>& bars, double scale) {
  double max = scale;
  if (max <= 0)
    for (const Bar& b : bars) max = std::max(max, b.value);
  if (max <= 0) max = 1;
  constexpr int kLabel = 200;
  constexpr int kWidth = 420;
  constexpr int kRow = 26;
  const int height = static_cast<int>(bars.size()) * kRow + 10;
  std::string svg = "<figure>\n<figcaption>" + esc(title) + "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "role=\"img\" aria-label=\"" + esc(title) + "\" width=\"" + std::to_string(kLabel + kWidth + 110) +
                    "\" height=\"" + std::to_string(height) + "\" font-size=\"13\">\n";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int y = static_cast<int>(i) * kRow + 5;
    const double w = std::max(0.0, bars[i].value) / max * kWidth;
    svg += "<text x=\"" + std::to_string(kLabel - 6) + "\" y=\"" + std::to_string(y + 15) +
           "\" text-anchor=\"end\">" + esc(bars[i].label) + "</text>";
    svg += "<rect x=\"" + std::to_string(kLabel) + "\" y=\"" + std::to_string(y) + "\" width=\"" + num(w) +
           "\" height=\"18\" fill=\"" + kColours[0] + "\"/>";
    svg += "<text x=\"" + num(kLabel + w + 6) + "\" y=\"" + std::to_string(y + 15) + "\">" + esc(bars[i].text) +
           "</text>\n";
  }
  return svg + "</svg>\n</figure>\n";
}

std::string stackedChart(const std::string& title, const std::vector<std::string>& segment_names,
                         const std::vector<StackedRow>& rows, double scale) {
  if (scale <= 0) scale = 1;
  constexpr int kLabel = 200;
  constexpr int kWidth = 420;
  constexpr int kRow = 26;
  const int legend = 24;
  const int height = static_cast<int>(rows.size()) * kRow + legend + 10;
  std::string svg = "<figure>\n<figcaption>" + esc(title) + "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "role=\"img\" aria-label=\"" + esc(title) + "\" width=\"" + std::to_string(kLabel + kWidth + 110) +
                    "\" height=\"" + std::to_string(height) + "\" font-size=\"13\">\n";
  int lx = kLabel;
  for (std::size_t s = 0; s < segment_names.size(); ++s) {
    svg += "<rect x=\"" + std::to_string(lx) + "\" y=\"4\" width=\"12\" height=\"12\" fill=\"" +
           kColours[s % kColours.size()] + "\"/><text x=\"" + std::to_string(lx + 16) + "\" y=\"15\">" +
           esc(segment_names[s]) + "</text>";
    lx += 30 + static_cast<int>(segment_names[s].size()) * 7;
  }
  svg += "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int y = static_cast<int>(i) * kRow + legend + 5;
    svg += "<text x=\"" + std::to_string(kLabel - 6) + "\" y=\"" + std::to_string(y + 15) +
           "\" text-anchor=\"end\">" + esc(rows[i].label) + "</text>";
    double x = kLabel;
    for (std::size_t s = 0; s < rows[i].segments.size(); ++s) {
      const double w = std::max(0.0, rows[i].segments[s]) / scale * kWidth;
      svg += "<rect x=\"" + num(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" + num(w) +
             "\" height=\"18\" fill=\"" + kColours[s % kColours.size()] + "\"/>";
      x += w;
    }
    svg += "<text x=\"" + num(x + 6) + "\" y=\"" + std::to_string(y + 15) + "\">" + esc(rows[i].text) + "</text>\n";
  }
  return svg + "</svg>\n</figure>\n";
}

std::string targetChart(const std::string& title, const std::vector<std::pair<std::string, double>>& shares,
                        const std::vector<double>& targets) {
  constexpr int kLabel = 200;
  constexpr int kWidth = 420;
  constexpr int kRow = 30;
  const int height = static_cast<int>(shares.size()) * kRow + 10;
  std::string svg = "<figure>\n<figcaption>" + esc(title) + "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "role=\"img\" aria-label=\"" + esc(title) + "\" width=\"" + std::to_string(kLabel + kWidth + 160) +
                    "\" height=\"" + std::to_string(height) + "\" font-size=\"13\">\n";
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const int y = static_cast<int>(i) * kRow + 5;
    const double share = std::clamp(shares[i].second, 0.0, 1.0);
    const double target = i < targets.size() ? targets[i] : 0;
    const bool met = share >= target;
    svg += "<text x=\"" + std::to_string(kLabel - 6) + "\" y=\"" + std::to_string(y + 15) +
           "\" text-anchor=\"end\">" + esc(shares[i].first) + "</text>";
    svg += "<rect x=\"" + std::to_string(kLabel) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
           std::to_string(kWidth) + "\" height=\"18\" fill=\"#eef3ef\"/>";
    svg += "<rect x=\"" + std::to_string(kLabel) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
           num(share * kWidth) + "\" height=\"18\" fill=\"" + (met ? kColours[0] : kColours[1]) + "\"/>";
    const double tx = kLabel + target * kWidth;
    svg += "<line x1=\"" + num(tx) + "\" x2=\"" + num(tx) + "\" y1=\"" + std::to_string(y - 3) + "\" y2=\"" +
           std::to_string(y + 21) + "\" stroke=\"#b00020\" stroke-width=\"2\"/>";
    svg += "<text x=\"" + std::to_string(kLabel + kWidth + 6) + "\" y=\"" + std::to_string(y + 15) + "\">" +
           num(share * 100) + " % (target " + num(target * 100) + " %)</text>\n";
  }
  return svg + "</svg>\n</figure>\n";
}

}  // namespace reports::html
