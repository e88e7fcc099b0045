#!/usr/bin/env bash
# Refreshes the GraphiQL build compiled into the roster binary (api/assets/graphiql/): the
# UMD bundles and style sheet of GraphiQL and React as their npm packages ship them, with
# their licences. Only needed to change the pinned versions (then also the version in the
# paths of api/web/graphiql.html and api/src/web/graphiql.rs); building Roster needs no Node.
set -euo pipefail
GRAPHIQL=3.9.0
REACT=18.3.1
cd "$(dirname "$0")/.."
target=api/assets/graphiql
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)
for package in "graphiql-$GRAPHIQL" "react-$REACT" "react-dom-$REACT"; do
  mkdir -p "$work/$package" && tar xzf "$work/$package.tgz" -C "$work/$package"
done
cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.js" "$work/graphiql-$GRAPHIQL/package/graphiql.min.css" "$target/"
cp "$work/react-$REACT/package/umd/react.production.min.js" "$target/"
cp "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" "$target/"
cp "$work/graphiql-$GRAPHIQL/package/LICENSE" "$target/LICENSE-graphiql"
cp "$work/react-$REACT/package/LICENSE" "$target/LICENSE-react"
cp "$work/react-dom-$REACT/package/LICENSE" "$target/LICENSE-react-dom"
echo "GraphiQL $GRAPHIQL and React $REACT copied into $target"
