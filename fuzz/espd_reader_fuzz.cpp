// libFuzzer target: importer::readEspdResponse (hardened Xerces-C SAX parse, no schema) and the
// supplier and self-declaration made from what it accepts, on arbitrary bytes. Built and run by
// scripts/fuzz.sh with ASan and UBSan.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "import/espd_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  importer::EspdOptions options;
  options.source_name = "fuzz.xml";
  try {
    const importer::EspdResponse r = importer::readEspdResponse(xml, options);
    (void)importer::selfDeclarationText(r);
    (void)importer::supplierFromEspd(r);
  } catch (const core::Error&) {
    // Refusals carry a message; anything else escaping is a defect the fuzzer reports.
  }
  return 0;
}
