#!/usr/bin/env bash
# A Chinese font for the PNG/PDF outputs (siting.report.static): WenQuanYi Micro Hei from
# Debian/Ubuntu (fonts-wqy-microhei). Never fails `make demo`: without root, apt-get or a
# network it says so and the demo goes on (Chinese labels in PNG/PDF then show as boxes,
# and the run itself warns). Skips quietly when a CJK font is already installed.
set -u
has_cjk() {
  fc-list 2>/dev/null | grep -qiE "wenquanyi|wqy|noto sans cjk|source han sans|notosanssc" && return 0
  ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
     >/dev/null 2>&1
}
if has_cjk; then
  exit 0
fi
warn() {
  echo "install-fonts: WARNING: $1; Chinese text in PNG/PDF outputs will not render." \
       "Fix: install fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or any CJK font." >&2
  exit 0
}
if ! command -v apt-get >/dev/null 2>&1; then
  warn "apt-get is not available on this machine"
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    warn "installing a font needs root (or password-less sudo)"
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 \
   || { $SUDO apt-get update -qq >/dev/null 2>&1 \
        && $SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1; }; then
  echo "install-fonts: installed fonts-wqy-microhei" >&2
else
  warn "apt-get could not install fonts-wqy-microhei (offline, or no such package)"
fi
