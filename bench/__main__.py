"""``python -m bench``: run every benchmark and print its report."""

from bench import startup

if __name__ == "__main__":
    startup.main()
