#include <torch/torch.h>

#include <QtTest>

#include "model/safetensors.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

using namespace slim::engine;

namespace {

// Builds a file byte by byte so the reader is tested against the format itself, not against
// our own writer.
class RawFile
{
public:
    explicit RawFile(const std::string &header)
    {
        appendUint64(header.size());
        m_bytes += header;
    }

    RawFile &appendUint16(uint16_t value)
    {
        m_bytes.push_back(static_cast<char>(value & 0xff));
        m_bytes.push_back(static_cast<char>(value >> 8));
        return *this;
    }

    RawFile &appendUint32(uint32_t value)
    {
        for (int i = 0; i < 4; ++i)
            m_bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
        return *this;
    }

    RawFile &appendUint64(uint64_t value)
    {
        for (int i = 0; i < 8; ++i)
            m_bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
        return *this;
    }

    RawFile &appendZeros(size_t count)
    {
        m_bytes.append(count, '\0');
        return *this;
    }

    void save(const std::filesystem::path &path) const
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(m_bytes.data(), static_cast<std::streamsize>(m_bytes.size()));
    }

private:
    std::string m_bytes;
};

std::string readBytes(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

uint64_t headerSizeOf(const std::string &bytes)
{
    uint64_t size = 0;
    for (int i = 7; i >= 0; --i)
        size = (size << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
    return size;
}

// The message of the SafetensorsError `fn` throws; anything else comes back as a marker that
// none of the expected fragments will match, so the calling check fails with a useful message.
QString errorOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const SafetensorsError &e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception &e) {
        return QStringLiteral("<not a SafetensorsError: %1>").arg(QString::fromStdString(e.what()));
    }
    return QStringLiteral("<no exception>");
}

void expectReadError(const std::filesystem::path &path, const QStringList &fragments)
{
    const QString message = errorOf([&] { readSafetensors(path); });
    QVERIFY2(!message.startsWith(u'<'), qPrintable(message));
    const QString fileName = QString::fromStdString(path.filename().string());
    QVERIFY2(message.contains(fileName), qPrintable(message));
    for (const QString &fragment : fragments)
        QVERIFY2(message.contains(fragment, Qt::CaseInsensitive),
                 qPrintable(QStringLiteral("'%1' not in: %2").arg(fragment, message)));
}

std::string tensorEntry(const char *dtype, const char *shape, const char *offsets)
{
    return std::string(R"({"dtype":")") + dtype + R"(","shape":)" + shape + R"(,"data_offsets":)"
        + offsets + "}";
}

} // namespace

class TestSafetensors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        torch::manual_seed(1234);
    }

    void roundTripFloat32()
    {
        const auto path = file("f32.safetensors");
        const torch::Tensor matrix = torch::randn({5, 7});
        const torch::Tensor transposed = torch::randn({4, 3}).t(); // not contiguous
        const torch::Tensor vector = torch::randn({11}, torch::kDouble);
        writeSafetensors(path, {{"matrix", matrix}, {"transposed", transposed}, {"v", vector}});

        const SafetensorsFile loaded = readSafetensors(path);
        QCOMPARE(loaded.tensors.size(), size_t(3));
        QVERIFY(loaded.metadata.empty());
        for (const auto &[name, tensor] : loaded.tensors) {
            QVERIFY2(tensor.scalar_type() == torch::kFloat, name.c_str());
            QVERIFY2(tensor.device().is_cpu(), name.c_str());
        }
        QVERIFY(torch::equal(loaded.tensors.at("matrix"), matrix));
        QVERIFY(torch::equal(loaded.tensors.at("transposed"), transposed));
        QVERIFY(torch::equal(loaded.tensors.at("v"), vector.to(torch::kFloat)));
    }

    void roundTripHalf() { checkReducedRoundTrip(torch::kHalf, "f16.safetensors"); }

    void roundTripBFloat16() { checkReducedRoundTrip(torch::kBFloat16, "bf16.safetensors"); }

    void readsHandWrittenFile()
    {
        const auto path = file("hand.safetensors");
        const std::string header = R"({"__metadata__":{"format":"pt"},"bf":)"
            + tensorEntry("BF16", "[3]", "[6,12]") + R"(,"h":)" + tensorEntry("F16", "[3]", "[0,6]")
            + R"(,"ids":)" + tensorEntry("I32", "[2,2]", "[12,28]") + "}";
        RawFile(header)
            .appendUint16(0x3C00) // F16 1.0
            .appendUint16(0xC100) // F16 -2.5
            .appendUint16(0x3554) // F16 0.333 -> 0.3330078125
            .appendUint16(0x3F80) // BF16 1.0
            .appendUint16(0xC020) // BF16 -2.5
            .appendUint16(0x3EAA) // BF16 0.333 -> 0.33203125
            .appendUint32(1)
            .appendUint32(static_cast<uint32_t>(-2))
            .appendUint32(3)
            .appendUint32(static_cast<uint32_t>(-4))
            .save(path);

        const SafetensorsFile loaded = readSafetensors(path);
        QCOMPARE(loaded.tensors.size(), size_t(3));
        QCOMPARE(loaded.metadata.at("format"), std::string("pt"));

        const torch::Tensor h = loaded.tensors.at("h");
        QVERIFY(h.scalar_type() == torch::kHalf);
        QVERIFY(torch::equal(h.to(torch::kFloat), torch::tensor({1.0f, -2.5f, 0.3330078125f})));
        QVERIFY(torch::equal(h, torch::tensor({1.0f, -2.5f, 0.333f}).to(torch::kHalf)));

        const torch::Tensor bf = loaded.tensors.at("bf");
        QVERIFY(bf.scalar_type() == torch::kBFloat16);
        QVERIFY(torch::equal(bf.to(torch::kFloat), torch::tensor({1.0f, -2.5f, 0.33203125f})));

        const torch::Tensor ids = loaded.tensors.at("ids");
        QVERIFY(ids.scalar_type() == torch::kInt);
        QVERIFY(torch::equal(ids, torch::tensor({1, -2, 3, -4}, torch::kInt).view({2, 2})));
    }

    void metadataRoundTrip()
    {
        const auto path = file("meta.safetensors");
        const std::map<std::string, std::string> metadata {
            {"format", "pt"}, {"slim.step", "1200"}, {"note", "ünïcode \"quoted\""}};
        writeSafetensors(path, {{"w", torch::ones({2})}}, torch::kFloat, metadata);
        const SafetensorsFile loaded = readSafetensors(path);
        QVERIFY(loaded.metadata == metadata);
        QCOMPARE(loaded.tensors.size(), size_t(1));
    }

    void dataStartIsAligned()
    {
        // Names of every length modulo 8 so an unpadded header is caught whatever its size.
        for (int extra = 0; extra < 8; ++extra) {
            const std::string name = std::string(static_cast<size_t>(extra) + 1, 't');
            const auto path = file(name + ".safetensors");
            writeSafetensors(path, {{name, torch::arange(3, torch::kFloat)}});
            const std::string bytes = readBytes(path);
            const uint64_t headerSize = headerSizeOf(bytes);
            QCOMPARE((8 + headerSize) % 8, uint64_t(0));
            QCOMPARE(bytes.size(), size_t(8 + headerSize + 3 * 4));
            QVERIFY(torch::equal(readSafetensors(path).tensors.at(name),
                                 torch::arange(3, torch::kFloat)));
        }
    }

    void integerTensorsRoundTrip()
    {
        const auto path = file("ints.safetensors");
        // Beyond 2^53, so a detour through a floating type would lose the low bits.
        const torch::Tensor big = torch::tensor(
            {int64_t(9007199254740993), int64_t(-7), std::numeric_limits<int64_t>::min()});
        const torch::Tensor bytes = torch::tensor({0, 255, 17}, torch::kByte);
        const torch::Tensor mask = torch::tensor({true, false, true});
        writeSafetensors(path, {{"big", big}, {"bytes", bytes}, {"mask", mask}}, torch::kHalf);

        const SafetensorsFile loaded = readSafetensors(path);
        QVERIFY(loaded.tensors.at("big").scalar_type() == torch::kLong);
        QVERIFY(torch::equal(loaded.tensors.at("big"), big));
        QVERIFY(loaded.tensors.at("bytes").scalar_type() == torch::kByte);
        QVERIFY(torch::equal(loaded.tensors.at("bytes"), bytes));
        QVERIFY(loaded.tensors.at("mask").scalar_type() == torch::kBool);
        QVERIFY(torch::equal(loaded.tensors.at("mask"), mask));
    }

    void zeroElementAndScalarTensors()
    {
        const auto path = file("edge.safetensors");
        const torch::Tensor scalar = torch::tensor(3.5f);
        const torch::Tensor empty = torch::empty({0, 4});
        writeSafetensors(path, {{"empty", empty}, {"scalar", scalar}});

        const SafetensorsFile loaded = readSafetensors(path);
        QCOMPARE(loaded.tensors.at("scalar").dim(), int64_t(0));
        QCOMPARE(loaded.tensors.at("scalar").item<float>(), 3.5f);
        QVERIFY(loaded.tensors.at("empty").sizes().vec() == std::vector<int64_t>({0, 4}));
    }

    void truncatedDataThrows()
    {
        const auto path = file("cut_data.safetensors");
        writeSafetensors(path, {{"weight", torch::randn({16})}});
        std::filesystem::resize_file(path, std::filesystem::file_size(path) - 4);
        expectReadError(path, {QStringLiteral("weight"), QStringLiteral("truncated")});
    }

    void truncatedHeaderThrows()
    {
        const auto path = file("cut_header.safetensors");
        writeSafetensors(path, {{"weight", torch::randn({16})}});
        const uint64_t headerSize = headerSizeOf(readBytes(path));
        std::filesystem::resize_file(path, 8 + headerSize / 2);
        expectReadError(path, {QStringLiteral("truncated")});
    }

    void fileShorterThanLengthFieldThrows()
    {
        const auto path = file("tiny.safetensors");
        std::ofstream(path, std::ios::binary) << "abc";
        expectReadError(path, {QStringLiteral("truncated")});
    }

    void badJsonHeaderThrows()
    {
        const auto path = file("bad_json.safetensors");
        RawFile(R"({"w": {"dtype": "F32", )").save(path);
        expectReadError(path, {QStringLiteral("JSON")});

        const auto arrayPath = file("array_header.safetensors");
        RawFile("[1, 2]").save(arrayPath);
        expectReadError(arrayPath, {QStringLiteral("object")});
    }

    void unknownDtypeThrows()
    {
        const auto path = file("dtype.safetensors");
        RawFile(R"({"w":)" + tensorEntry("X32", "[2]", "[0,8]") + "}").appendZeros(8).save(path);
        expectReadError(path, {QStringLiteral("'w'"), QStringLiteral("X32")});
    }

    void offsetsNotMatchingShapeThrow()
    {
        const auto path = file("mismatch.safetensors");
        RawFile(R"({"w":)" + tensorEntry("F32", "[3]", "[0,8]") + "}").appendZeros(8).save(path);
        expectReadError(path, {QStringLiteral("'w'"), QStringLiteral("needs 12 bytes")});

        const auto reversedPath = file("reversed.safetensors");
        RawFile(R"({"r":)" + tensorEntry("F32", "[1]", "[8,4]") + "}")
            .appendZeros(8)
            .save(reversedPath);
        expectReadError(reversedPath, {QStringLiteral("'r'"), QStringLiteral("reversed")});
    }

    void malformedEntriesThrow()
    {
        const auto negative = file("negative.safetensors");
        RawFile(R"({"n":)" + tensorEntry("F32", "[-1]", "[0,0]") + "}").save(negative);
        expectReadError(negative, {QStringLiteral("'n'"), QStringLiteral("negative")});

        const auto missing = file("missing_field.safetensors");
        RawFile(R"({"m":{"dtype":"F32","shape":[1]}})").appendZeros(4).save(missing);
        expectReadError(missing, {QStringLiteral("'m'"), QStringLiteral("data_offsets")});

        const auto wrongType = file("wrong_type.safetensors");
        RawFile(R"({"s":{"dtype":"F32","shape":"1","data_offsets":[0,4]}})")
            .appendZeros(4)
            .save(wrongType);
        expectReadError(wrongType, {QStringLiteral("'s'"), QStringLiteral("shape")});
    }

    void missingFileThrows()
    {
        expectReadError(file("does_not_exist.safetensors"), {QStringLiteral("not found")});
    }

    void writeIntoMissingFolderThrows()
    {
        const std::filesystem::path path = file("no_such_folder") / "w.safetensors";
        const QString message = errorOf([&] { writeSafetensors(path, {{"w", torch::ones({2})}}); });
        QVERIFY2(!message.startsWith(u'<'), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("w.safetensors")), qPrintable(message));
        QVERIFY(!std::filesystem::exists(path));
    }

    void noTempFileRemainsAndOverwriteWorks()
    {
        const auto path = file("atomic.safetensors");
        writeSafetensors(path, {{"w", torch::zeros({4})}});
        writeSafetensors(path, {{"w", torch::ones({2})}, {"extra", torch::ones({1})}});

        std::filesystem::path tmpPath = path;
        tmpPath += ".tmp";
        QVERIFY(!std::filesystem::exists(tmpPath));
        const SafetensorsFile loaded = readSafetensors(path);
        QCOMPARE(loaded.tensors.size(), size_t(2));
        QVERIFY(torch::equal(loaded.tensors.at("w"), torch::ones({2})));
    }

private:
    std::filesystem::path file(const std::string &name) const
    {
        return std::filesystem::path(m_dir.path().toStdString()) / name;
    }

    void checkReducedRoundTrip(torch::ScalarType type, const std::string &fileName)
    {
        const auto path = file(fileName);
        // Wide range so rounding, subnormals and the differing exponent widths all show up.
        const torch::Tensor t = torch::randn({6, 9}) * torch::logspace(-6, 4, 9);
        writeSafetensors(path, {{"t", t}}, type);
        const torch::Tensor loaded = readSafetensors(path).tensors.at("t");
        QVERIFY(loaded.scalar_type() == type);
        QVERIFY(torch::equal(loaded, t.to(type)));
    }

    QTemporaryDir m_dir;
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
