#pragma once
// Internal to reports/: HTML pages (one self-contained file: inline CSS, inline SVG charts, no
// scripts, no external resources) and the small charts the reports draw. Text is always escaped.
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace reports::html {

std::string esc(std::string_view text);

// A complete document: <!DOCTYPE html>, title, the reports' stylesheet, `body` as given.
std::string page(const std::string& lang, const std::string& title, const std::string& body);

// <table> with a header row and escaped cells; `numeric` marks right-aligned columns.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& numeric = {});

// Key facts as a definition list.
std::string facts(const std::vector<std::pair<std::string, std::string>>& items);

struct Bar {
  std::string label;
  double value = 0;
  std::string text;  // what is written at the bar's end ("12.5 %", "3")
};

// Horizontal bars scaled to the largest value (or to `scale` when positive).
std::string barChart(const std::string& title, const std::vector<Bar>& bars, double scale = 0);

struct StackedRow {
  std::string label;
  std::vector<double> segments;
  std::string text;
};

// Horizontal stacked bars with a legend (one colour per segment name), scaled to `scale`.
std::string stackedChart(const std::string& title, const std::vector<std::string>& segment_names,
                         const std::vector<StackedRow>& rows, double scale);

// A share (0..1) against a target share, drawn as a bar with the target marked.
std::string targetChart(const std::string& title, const std::vector<std::pair<std::string, double>>& shares,
                        const std::vector<double>& targets);

}  // namespace reports::html
