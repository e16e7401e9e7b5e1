# A closure of three items built offline with the static busybox the sandbox maps to /busybox:
# app refers to tool, to lib and to itself; tool refers to lib through a file and a symlink.
{ salt ? "" }:
let
  item = name: script: derivation {
    inherit name salt;
    system = builtins.currentSystem;
    builder = "/busybox";
    args = [ "sh" "-c" script ];
    PATH = "/no-such-directory";
  };
  lib = item "lib" ''
    /busybox mkdir -p $out/lib/empty-dir
    echo hello > $out/lib/data
    /busybox chmod +x $out/lib/data
    /busybox printf 'seven..' > $out/lib/seven
    /busybox touch $out/lib/empty-file
  '';
  tool = item "tool" ''
    /busybox mkdir -p $out/bin
    echo '#!/bin/sh' > $out/bin/tool
    echo 'cat ${lib}/lib/data' >> $out/bin/tool
    /busybox chmod 555 $out/bin/tool
    /busybox ln -s ${lib}/lib $out/lib-link
  '';
in
item "app" ''
  /busybox mkdir $out
  echo ${tool} ${lib} > $out/refs
  echo self $out >> $out/refs
''
