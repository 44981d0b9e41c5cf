// Runs every file of the given corpus folders (or files) through the fuzz target it is linked
// with, once each: the normal build's regression test of the checked-in corpus (the crashes
// fuzzing found included). An input that crashes or lets an undocumented exception escape
// ends the process with an error naming it.

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        if (fs::is_directory(argv[i])) {
            for (const auto &entry : fs::directory_iterator(argv[i]))
                if (entry.is_regular_file())
                    inputs.push_back(entry.path());
        } else {
            inputs.emplace_back(argv[i]);
        }
    }
    std::sort(inputs.begin(), inputs.end());
    if (inputs.empty()) {
        std::cerr << "fuzz replay: no inputs in the given corpus\n";
        return 2;
    }
    for (const auto &path : inputs) {
        std::ifstream in(path, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        try {
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
        } catch (const std::exception &e) {
            std::cerr << "fuzz replay: " << path.string() << ": uncaught " << e.what() << '\n';
            return 1;
        }
    }
    std::cout << "fuzz replay: " << inputs.size() << " inputs, no finding\n";
    return 0;
}
