// Placeholder until the main window lands (this commit series): prints where data lives.
#include <QApplication>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    return 0;
}
