#!/usr/bin/env bash
# Installs the Debian packages faxgate needs, when missing. Idempotent and quiet: a machine
# that has them all does nothing here.
#   (no argument)  everything: the service's converters and fonts, and the real peers the
#                  tests use (npm test)
#   --runtime      only what the service itself uses to render documents (npm start); without
#                  root it warns and goes on (those formats then fail with a clear error)
set -euo pipefail
mode="${1:-all}"
need=()
check() { dpkg -s "$1" >/dev/null 2>&1 || need+=("$1"); }
runtime() {
  check fonts-ipafont        # IPA Gothic/Mincho: stand-ins for MS Gothic/Mincho
  check fonts-liberation2    # Arial/Times/Courier metric-compatible fonts
  check fonts-dejavu-core
  check libreoffice-writer-nogui   # Office documents to PDF
  check libreoffice-calc-nogui
  check libreoffice-impress-nogui
  check chromium             # HTML and URLs to PDF
  # PDF pages drawn by our MuPDF helper (scripts/build-native.mjs builds it; without these,
  # PDFium draws them, slower)
  check build-essential
  check pkg-config
  check libmupdf-dev
  check libjbig2dec0-dev
  check libopenjp2-7-dev
  check libgumbo-dev
  check libmujs-dev
  check libharfbuzz-dev
  check libfreetype-dev
  check libjpeg-dev
  check zlib1g-dev
}
install() {
  echo "installing Debian packages for $1: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}
runtime
if [ "$mode" = "--runtime" ]; then
  if [ ${#need[@]} -eq 0 ]; then exit 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "faxgate: without these Debian packages some documents cannot be rendered (Office, HTML, text) or render slower (PDF): ${need[*]} (apt-get install ${need[*]})" >&2
    exit 0
  fi
  install "the service"
  exit 0
fi
check libtiff-tools        # tiffcp/tiffinfo: the reference TIFF reader/writer
check libtiff-dev          # headers for the in-process libtiff codec benchmark (test/bench/support)
check poppler-utils        # pdfimages/pdftoppm: the reference PDF reader
check libspandsp-dev       # SpanDSP: the far fax terminal
check sip-tester           # sipp
check kamailio             # the SIP proxy in the proxy interop test (its own config and ports, never the service)
check build-essential      # to build the SpanDSP harness
check pkg-config
check ghostscript          # reference renderer for benchmarks
check python3-uno          # LibreOffice through UNO: saves the password-protected Office test files
check tesseract-ocr        # legibility tests
check tesseract-ocr-jpn
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "faxgate tests need these Debian packages: ${need[*]} (run as root, or install them: apt-get install ${need[*]})" >&2
  exit 1
fi
install "the tests"
