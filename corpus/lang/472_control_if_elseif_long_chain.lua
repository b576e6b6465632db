-- an if/elseif chain of 12 branches selects the first matching one
local function classify(x)
  if x == nil then return "nil"
  elseif x == false then return "false"
  elseif x == true then return "true"
  elseif type(x) == "string" and x == "" then return "empty"
  elseif type(x) == "string" then return "string"
  elseif type(x) == "table" then return "table"
  elseif x ~= x then return "nan"
  elseif x < 0 then return "neg"
  elseif x == 0 then return "zero"
  elseif x < 1 then return "frac"
  elseif x % 2 == 0 then return "even"
  elseif x == 1/0 then return "inf"
  else return "odd" end
end
local vals = {n = 13, nil, false, true, "", "s", {}, 0/0, -1, 0, 0.5, 4, 1/0, 7}
for i = 1, vals.n do print(i, classify(vals[i])) end
