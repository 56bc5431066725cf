"""Print the GraphQL schema as SDL, or with `--write` update the committed `schema.graphql`.

python -m datora_graph.api.graphql            # print
python -m datora_graph.api.graphql --write    # after a deliberate schema change
"""

from __future__ import annotations

import argparse
import sys

from datora_graph.api.graphql.schema import SDL_PATH, sdl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m datora_graph.api.graphql", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--write", action="store_true", help=f"write {SDL_PATH.name}")
    args = parser.parse_args(argv)
    text = sdl()
    if args.write:
        SDL_PATH.write_text(text)
        print(f"wrote {SDL_PATH}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
