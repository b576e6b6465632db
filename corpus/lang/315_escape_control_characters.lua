-- control escapes equal their byte values
print("\a" == "\7", "\b" == "\8", "\f" == "\12")
print("\v" == "\11", "\r" == "\13", "\n" == "\10", "\t" == "\9")
print(#"\a\b\f\n\r\t\v")
print("tab:\t|")
print("a\nb")
