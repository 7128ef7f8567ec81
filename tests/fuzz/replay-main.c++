// Runs a fuzz target's entry point on every file of the corpus folders it is given: in the
// normal build (no libFuzzer), so every committed seed and every input that once crashed a
// fuzzer is a regression test that `bazel test` runs.

#include <dirent.h>
#include <sys/stat.h>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

void listFiles(const std::string& path, std::vector<std::string>& out) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    return;
  if (!S_ISDIR(info.st_mode)) {
    out.push_back(path);
    return;
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr)
    return;
  while (auto entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..")
      listFiles(path + "/" + name, out);
  }
  closedir(dir);
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr)
    LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  for (int i = 1; i < argc; i++)
    listFiles(argv[i], files);
  if (files.empty()) {
    fprintf(stderr, "replay: no corpus files given\n");
    return 1;
  }
  for (auto& file: files) {
    std::ifstream in(file, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  printf("replay: %zu inputs ran\n", files.size());
  return 0;
}
