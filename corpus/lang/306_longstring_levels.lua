-- long strings at levels 0 to 3 keep their contents verbatim
print([[level 0]])
print([=[level 1 with ]] inside]=])
print([==[level 2 with ]=] and ]] inside]==])
print([===[level 3 with ]==] inside]===])
print(#[[]], #[==[]==])
print([[a]] == "a", [=[b]=] == [[b]])
