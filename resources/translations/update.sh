#!/bin/sh
# Re-extract every tr()/QT_TRANSLATE_NOOP text of the GUI into the .ts sources (keeping the
# existing translations), then compile the .qm files the app loads. Run from the repo root.
set -eu
BIN=${BIN:-.venv/bin}
for lang in de en; do
    extra=""
    [ "$lang" = en ] && extra="-pluralonly"  # English is the source: only plural forms
    "$BIN/pyside6-lupdate" -extensions py -no-obsolete -locations none $extra \
        app/facekiosk/ui -ts "resources/translations/facekiosk_$lang.ts"
    "$BIN/pyside6-lrelease" "resources/translations/facekiosk_$lang.ts" \
        -qm "resources/translations/facekiosk_$lang.qm"
done
