"""``python -m fitbalance``: the ``fitbalance`` command."""

from fitbalance.cli import main

if __name__ == "__main__":
    main()
