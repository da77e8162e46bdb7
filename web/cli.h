#pragma once
// The `dps` command's subcommands (init, demo, audit verify, import, ...). Each takes its
// arguments after the subcommand name and returns the process exit code. Not thread-safe: one
// command per process.

#include <string>
#include <vector>

namespace web {

int runCli(const std::vector<std::string>& args);

}  // namespace web
