-- _G refers to the globals table and globals set through it are visible directly
print(type(_G), _G._G == _G, _G.print == print)
_G.fromG = "viaG"
print(fromG)
direct = "direct"
print(_G.direct, rawget(_G, "direct"))
_G["with space"] = 1
print(_G["with space"])
print(_VERSION)
