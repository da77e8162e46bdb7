// The `dps` executable: the composition root (config -> store -> services -> command or server).
#include <string>
#include <vector>

#include "web/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return web::runCli(args);
}
