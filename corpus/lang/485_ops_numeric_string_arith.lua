-- arithmetic on numeric strings with spaces, hex and exponents
print(" 10 " + 1, "0x10" + 0, "1e2" * 2, " -3 " - 1)
print("0x1p4" + 0, ".5" + ".5", "5." * 2)
print("10" / "4", "7" % "3", "2" ^ "10", -"3")
print(pcall(function() return "1 2" + 1 end))
print(pcall(function() return "0x" + 1 end))
print(pcall(function() return "" + 1 end))
