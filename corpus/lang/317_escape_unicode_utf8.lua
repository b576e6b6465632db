-- \u{XXXX} escapes produce UTF-8 bytes in LuaJIT 2.1
print("\u{48}\u{49}")
print(#"\u{7F}", #"\u{80}", #"\u{7FF}", #"\u{800}", #"\u{20AC}", #"\u{10FFFF}")
print("\u{20AC}" == "\xE2\x82\xAC")
print("\u{0041}")
