#include "common/sha256.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using slim::common::Sha256;
using slim::common::sha256Hex;
using slim::common::sha256HexOfFile;

class TestSha256 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownVectors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty")
            << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc")
                             << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("nist-448-bit")
            << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("nist-896-bit")
            << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                          "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
            << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
        QTest::newRow("million-a")
            << QByteArray(1000000, 'a')
            << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }

    void knownVectors()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, expected);
        const std::string bytes(input.constData(), std::size_t(input.size()));
        QCOMPARE(QString::fromStdString(sha256Hex(bytes)), expected);
    }

    void paddingBoundaries()
    {
        // Values from coreutils sha256sum.
        QCOMPARE(sha256Hex(std::string(55, 'a')),
                 std::string("9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"));
        QCOMPARE(sha256Hex(std::string(56, 'a')),
                 std::string("b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"));
        QCOMPARE(sha256Hex(std::string(64, 'a')),
                 std::string("ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"));
    }

    void incrementalEqualsOneShot()
    {
        std::string text;
        for (int i = 0; i < 1000; ++i)
            text += char('a' + i % 26);
        for (std::size_t split : {0u, 1u, 63u, 64u, 65u, 500u, 1000u}) {
            Sha256 hasher;
            hasher.update(std::string_view(text).substr(0, split));
            hasher.update(std::string_view(text).substr(split));
            QCOMPARE(hasher.hexDigest(), sha256Hex(text));
        }
    }

    void fileHash()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath(QStringLiteral("abc.txt")).toStdString();
        std::ofstream(path, std::ios::binary) << "abc";
        QCOMPARE(sha256HexOfFile(path),
                 std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, sha256HexOfFile(path + ".missing"));
    }
};

QTEST_APPLESS_MAIN(TestSha256)
#include "tst_sha256.moc"
