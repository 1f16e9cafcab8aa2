#!/usr/bin/env python3
"""Rebuilds the vendored Well-Architected rule sets from a checkout of the AWS Guard Rules Registry.

Usage: python3 policy/guard/update.py <path-to-aws-guard-rules-registry-checkout>

Does what the registry's own build does for a release (`mappings/build.py`, `main`), for the
two rule sets drkit uses only: for each mapping of `mappings/rule_set_<name>.json`, the rule
file (unless its first line says `## SKIP`) with every `<<` replaced by the rule-set and
controls header, appended to `<ruleSetName>.guard`. The registry's build also downloads
CloudFormation's resource type list for its all-rules set, which drkit does not use, so this
script needs no network. Then record the commit in policy/guard/README.md.
"""

import json
import os
import re
import sys

RULE_SETS = ["wa-Reliability-Pillar", "wa-Security-Pillar"]


def header(rule_set, controls):
    # The same text as the registry's build_custom_message, so the files are byte-identical
    # to a registry release built from the same commit.
    return "<<\n    Guard Rule Set: {ruleset}\n    Controls: {controls}    ".format(
        ruleset=rule_set, controls=controls
    )


def skipped(path):
    with open(path) as f:
        return "## SKIP" in f.readline().rstrip()


def build(registry, rule_set, out_dir):
    with open(os.path.join(registry, "mappings", "rule_set_%s.json" % rule_set)) as f:
        mapping = json.load(f)
    name = mapping["ruleSetName"]
    out_path = os.path.join(out_dir, name + ".guard")
    count = 0
    with open(out_path, "w") as out:
        for rule in mapping["mappings"]:
            path = os.path.join(registry, rule["guardFilePath"])
            if not os.path.exists(path):
                sys.exit("missing rule file %s (named by %s)" % (path, name))
            if skipped(path):
                continue
            with open(path) as f:
                text = f.read()
            out.write(re.sub("<<", header(name, ",".join(rule["controls"])), text, flags=re.M))
            out.write("\n")
            count += 1
    print("%s: %d rule files -> %s" % (name, count, out_path))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    registry = sys.argv[1]
    out_dir = os.path.dirname(os.path.abspath(__file__))
    for rule_set in RULE_SETS:
        build(registry, rule_set, out_dir)


if __name__ == "__main__":
    main()
