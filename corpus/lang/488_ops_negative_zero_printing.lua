-- negative zero from various operations and how tostring shows it
local nz = 0 * -1
print(nz, -0, 0/-1, -(0))
print(1/nz, 1/-0.0, 1/(0 - 0), 1/(-0 + 0))
print(nz == 0, tostring(nz) .. "")
local t = {}
t[nz] = "negzero"
print(t[0])
print(-nz, 1/-nz)
