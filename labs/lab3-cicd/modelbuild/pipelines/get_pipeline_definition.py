"""`get-pipeline-definition`: print or save the pipeline's JSON definition without creating it."""

import argparse
import sys

from pipelines._utils import get_pipeline_driver


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Gets the pipeline definition for the pipeline script.")
    parser.add_argument("-n", "--module-name", dest="module_name", required=True,
                        help="The module name of the pipeline to import.")
    parser.add_argument("-f", "--file-name", dest="file_name", default=None,
                        help="The file to write the definition to (default: print it).")
    parser.add_argument("-kwargs", "--kwargs", dest="kwargs", default=None,
                        help="Dict string of keyword arguments for get_pipeline.")
    args = parser.parse_args(argv)
    definition = get_pipeline_driver(args.module_name, args.kwargs).definition()
    if args.file_name:
        with open(args.file_name, "w") as file:
            file.write(definition)
    else:
        sys.stdout.write(definition + "\n")


if __name__ == "__main__":
    main()
