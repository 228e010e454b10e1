"""`python -m zhitu`: the same as the `zhitu` command."""

from zhitu.ui.cli import main

if __name__ == "__main__":
    main()
