#!/usr/bin/env bash
# Debian's Chromium + ChromeDriver for the map tests (a test tool's own browser download
# cannot work offline). Skips quietly when already present; says why when it cannot install.
set -u
# fonts-wqy-microhei: Chinese map labels render as boxes in screenshots without a CJK font
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
   && fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: need root and apt-get to install chromium chromium-driver fonts-wqy-microhei;" \
       "browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null \
  && echo "install-browser: $(chromium --version)"
