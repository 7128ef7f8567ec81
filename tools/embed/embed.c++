// Turns files into a C++ table so kiln carries its JavaScript built-ins and config schema inside
// the binary. Usage: embed OUT.c++ OUT.h FUNCTION_NAME FILE...
// Each entry's path is the file's basename: built-ins and schemas are looked up by that name.

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

static std::string baseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: embed OUT.c++ OUT.h FUNCTION_NAME FILE...\n");
    return 2;
  }
  std::string func = argv[3];
  std::ofstream header(argv[2]);
  header << "#pragma once\n#include \"src/util/embedded.h\"\n"
         << "namespace kiln::embedded {\nkj::ArrayPtr<const EmbeddedFile> " << func << "();\n}\n";

  std::ofstream out(argv[1]);
  out << "#include \"src/util/embedded.h\"\nnamespace kiln::embedded {\nnamespace {\n";
  for (int i = 4; i < argc; i++) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      fprintf(stderr, "embed: cannot read %s\n", argv[i]);
      return 1;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    std::string data = buf.str();
    out << "const unsigned char FILE" << i << "[] = {";
    for (size_t j = 0; j < data.size(); j++) {
      if (j % 24 == 0) out << "\n";
      out << (unsigned)(unsigned char)data[j] << ",";
    }
    out << "0};\n";
  }
  out << "const EmbeddedFile FILES[] = {\n";
  for (int i = 4; i < argc; i++) {
    std::ifstream in(argv[i], std::ios::binary | std::ios::ate);
    size_t size = in.tellg();
    out << "  {\"" << baseName(argv[i]) << "\", kj::arrayPtr(FILE" << i << ", " << size << ")},\n";
  }
  out << "};\n}  // namespace\n\nkj::ArrayPtr<const EmbeddedFile> " << func
      << "() { return kj::arrayPtr(FILES, " << (argc - 4) << "); }\n}  // namespace kiln::embedded\n";
  return 0;
}
