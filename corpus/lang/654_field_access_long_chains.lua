-- constant-key reads and writes on a table with long collision chains
-- (every key is a field access in the source, so each one takes the inline path)
local t = {}
t.k0 = 'k0'
t.k1 = 'k1'
t.k2 = 'k2'
t.k3 = 'k3'
t.k4 = 'k4'
t.k5 = 'k5'
t.k6 = 'k6'
t.k7 = 'k7'
t.k8 = 'k8'
t.k9 = 'k9'
t.k10 = 'k10'
t.k11 = 'k11'
t.k12 = 'k12'
t.k13 = 'k13'
t.k14 = 'k14'
t.k15 = 'k15'
t.k16 = 'k16'
t.k17 = 'k17'
t.k18 = 'k18'
t.k19 = 'k19'
t.k20 = 'k20'
t.k21 = 'k21'
t.k22 = 'k22'
t.k23 = 'k23'
t.k24 = 'k24'
t.k25 = 'k25'
t.k26 = 'k26'
t.k27 = 'k27'
t.k28 = 'k28'
t.k29 = 'k29'
t.k30 = 'k30'
t.k31 = 'k31'
t.k32 = 'k32'
t.k33 = 'k33'
t.k34 = 'k34'
t.k35 = 'k35'
t.k36 = 'k36'
t.k37 = 'k37'
t.k38 = 'k38'
t.k39 = 'k39'
t.k40 = 'k40'
t.k41 = 'k41'
t.k42 = 'k42'
t.k43 = 'k43'
t.k44 = 'k44'
t.k45 = 'k45'
t.k46 = 'k46'
t.k47 = 'k47'
t.k48 = 'k48'
t.k49 = 'k49'
t.k50 = 'k50'
t.k51 = 'k51'
t.k52 = 'k52'
t.k53 = 'k53'
t.k54 = 'k54'
t.k55 = 'k55'
t.k56 = 'k56'
t.k57 = 'k57'
t.k58 = 'k58'
t.k59 = 'k59'
t.k60 = 'k60'
t.k61 = 'k61'
t.k62 = 'k62'
t.k63 = 'k63'
t.k64 = 'k64'
t.k65 = 'k65'
t.k66 = 'k66'
t.k67 = 'k67'
t.k68 = 'k68'
t.k69 = 'k69'
t.k70 = 'k70'
t.k71 = 'k71'
t.k72 = 'k72'
t.k73 = 'k73'
t.k74 = 'k74'
t.k75 = 'k75'
t.k76 = 'k76'
t.k77 = 'k77'
t.k78 = 'k78'
t.k79 = 'k79'
t.k80 = 'k80'
t.k81 = 'k81'
t.k82 = 'k82'
t.k83 = 'k83'
t.k84 = 'k84'
t.k85 = 'k85'
t.k86 = 'k86'
t.k87 = 'k87'
t.k88 = 'k88'
t.k89 = 'k89'
t.k90 = 'k90'
t.k91 = 'k91'
t.k92 = 'k92'
t.k93 = 'k93'
t.k94 = 'k94'
t.k95 = 'k95'
t.k96 = 'k96'
t.k97 = 'k97'
t.k98 = 'k98'
t.k99 = 'k99'
t.k100 = 'k100'
t.k101 = 'k101'
t.k102 = 'k102'
t.k103 = 'k103'
t.k104 = 'k104'
t.k105 = 'k105'
t.k106 = 'k106'
t.k107 = 'k107'
t.k108 = 'k108'
t.k109 = 'k109'
t.k110 = 'k110'
t.k111 = 'k111'
t.k112 = 'k112'
t.k113 = 'k113'
t.k114 = 'k114'
t.k115 = 'k115'
t.k116 = 'k116'
t.k117 = 'k117'
t.k118 = 'k118'
t.k119 = 'k119'
local n = 0
if t.k0 == 'k0' then n = n + 1 end
if t.k1 == 'k1' then n = n + 1 end
if t.k2 == 'k2' then n = n + 1 end
if t.k3 == 'k3' then n = n + 1 end
if t.k4 == 'k4' then n = n + 1 end
if t.k5 == 'k5' then n = n + 1 end
if t.k6 == 'k6' then n = n + 1 end
if t.k7 == 'k7' then n = n + 1 end
if t.k8 == 'k8' then n = n + 1 end
if t.k9 == 'k9' then n = n + 1 end
if t.k10 == 'k10' then n = n + 1 end
if t.k11 == 'k11' then n = n + 1 end
if t.k12 == 'k12' then n = n + 1 end
if t.k13 == 'k13' then n = n + 1 end
if t.k14 == 'k14' then n = n + 1 end
if t.k15 == 'k15' then n = n + 1 end
if t.k16 == 'k16' then n = n + 1 end
if t.k17 == 'k17' then n = n + 1 end
if t.k18 == 'k18' then n = n + 1 end
if t.k19 == 'k19' then n = n + 1 end
if t.k20 == 'k20' then n = n + 1 end
if t.k21 == 'k21' then n = n + 1 end
if t.k22 == 'k22' then n = n + 1 end
if t.k23 == 'k23' then n = n + 1 end
if t.k24 == 'k24' then n = n + 1 end
if t.k25 == 'k25' then n = n + 1 end
if t.k26 == 'k26' then n = n + 1 end
if t.k27 == 'k27' then n = n + 1 end
if t.k28 == 'k28' then n = n + 1 end
if t.k29 == 'k29' then n = n + 1 end
if t.k30 == 'k30' then n = n + 1 end
if t.k31 == 'k31' then n = n + 1 end
if t.k32 == 'k32' then n = n + 1 end
if t.k33 == 'k33' then n = n + 1 end
if t.k34 == 'k34' then n = n + 1 end
if t.k35 == 'k35' then n = n + 1 end
if t.k36 == 'k36' then n = n + 1 end
if t.k37 == 'k37' then n = n + 1 end
if t.k38 == 'k38' then n = n + 1 end
if t.k39 == 'k39' then n = n + 1 end
if t.k40 == 'k40' then n = n + 1 end
if t.k41 == 'k41' then n = n + 1 end
if t.k42 == 'k42' then n = n + 1 end
if t.k43 == 'k43' then n = n + 1 end
if t.k44 == 'k44' then n = n + 1 end
if t.k45 == 'k45' then n = n + 1 end
if t.k46 == 'k46' then n = n + 1 end
if t.k47 == 'k47' then n = n + 1 end
if t.k48 == 'k48' then n = n + 1 end
if t.k49 == 'k49' then n = n + 1 end
if t.k50 == 'k50' then n = n + 1 end
if t.k51 == 'k51' then n = n + 1 end
if t.k52 == 'k52' then n = n + 1 end
if t.k53 == 'k53' then n = n + 1 end
if t.k54 == 'k54' then n = n + 1 end
if t.k55 == 'k55' then n = n + 1 end
if t.k56 == 'k56' then n = n + 1 end
if t.k57 == 'k57' then n = n + 1 end
if t.k58 == 'k58' then n = n + 1 end
if t.k59 == 'k59' then n = n + 1 end
if t.k60 == 'k60' then n = n + 1 end
if t.k61 == 'k61' then n = n + 1 end
if t.k62 == 'k62' then n = n + 1 end
if t.k63 == 'k63' then n = n + 1 end
if t.k64 == 'k64' then n = n + 1 end
if t.k65 == 'k65' then n = n + 1 end
if t.k66 == 'k66' then n = n + 1 end
if t.k67 == 'k67' then n = n + 1 end
if t.k68 == 'k68' then n = n + 1 end
if t.k69 == 'k69' then n = n + 1 end
if t.k70 == 'k70' then n = n + 1 end
if t.k71 == 'k71' then n = n + 1 end
if t.k72 == 'k72' then n = n + 1 end
if t.k73 == 'k73' then n = n + 1 end
if t.k74 == 'k74' then n = n + 1 end
if t.k75 == 'k75' then n = n + 1 end
if t.k76 == 'k76' then n = n + 1 end
if t.k77 == 'k77' then n = n + 1 end
if t.k78 == 'k78' then n = n + 1 end
if t.k79 == 'k79' then n = n + 1 end
if t.k80 == 'k80' then n = n + 1 end
if t.k81 == 'k81' then n = n + 1 end
if t.k82 == 'k82' then n = n + 1 end
if t.k83 == 'k83' then n = n + 1 end
if t.k84 == 'k84' then n = n + 1 end
if t.k85 == 'k85' then n = n + 1 end
if t.k86 == 'k86' then n = n + 1 end
if t.k87 == 'k87' then n = n + 1 end
if t.k88 == 'k88' then n = n + 1 end
if t.k89 == 'k89' then n = n + 1 end
if t.k90 == 'k90' then n = n + 1 end
if t.k91 == 'k91' then n = n + 1 end
if t.k92 == 'k92' then n = n + 1 end
if t.k93 == 'k93' then n = n + 1 end
if t.k94 == 'k94' then n = n + 1 end
if t.k95 == 'k95' then n = n + 1 end
if t.k96 == 'k96' then n = n + 1 end
if t.k97 == 'k97' then n = n + 1 end
if t.k98 == 'k98' then n = n + 1 end
if t.k99 == 'k99' then n = n + 1 end
if t.k100 == 'k100' then n = n + 1 end
if t.k101 == 'k101' then n = n + 1 end
if t.k102 == 'k102' then n = n + 1 end
if t.k103 == 'k103' then n = n + 1 end
if t.k104 == 'k104' then n = n + 1 end
if t.k105 == 'k105' then n = n + 1 end
if t.k106 == 'k106' then n = n + 1 end
if t.k107 == 'k107' then n = n + 1 end
if t.k108 == 'k108' then n = n + 1 end
if t.k109 == 'k109' then n = n + 1 end
if t.k110 == 'k110' then n = n + 1 end
if t.k111 == 'k111' then n = n + 1 end
if t.k112 == 'k112' then n = n + 1 end
if t.k113 == 'k113' then n = n + 1 end
if t.k114 == 'k114' then n = n + 1 end
if t.k115 == 'k115' then n = n + 1 end
if t.k116 == 'k116' then n = n + 1 end
if t.k117 == 'k117' then n = n + 1 end
if t.k118 == 'k118' then n = n + 1 end
if t.k119 == 'k119' then n = n + 1 end
t.k0 = nil
t.k3 = nil
t.k6 = nil
t.k9 = nil
t.k12 = nil
t.k15 = nil
t.k18 = nil
t.k21 = nil
t.k24 = nil
t.k27 = nil
t.k30 = nil
t.k33 = nil
t.k36 = nil
t.k39 = nil
t.k42 = nil
t.k45 = nil
t.k48 = nil
t.k51 = nil
t.k54 = nil
t.k57 = nil
t.k60 = nil
t.k63 = nil
t.k66 = nil
t.k69 = nil
t.k72 = nil
t.k75 = nil
t.k78 = nil
t.k81 = nil
t.k84 = nil
t.k87 = nil
t.k90 = nil
t.k93 = nil
t.k96 = nil
t.k99 = nil
t.k102 = nil
t.k105 = nil
t.k108 = nil
t.k111 = nil
t.k114 = nil
t.k117 = nil
local m = 0
if t.k0 ~= nil then m = m + 1 end
if t.k1 ~= nil then m = m + 1 end
if t.k2 ~= nil then m = m + 1 end
if t.k3 ~= nil then m = m + 1 end
if t.k4 ~= nil then m = m + 1 end
if t.k5 ~= nil then m = m + 1 end
if t.k6 ~= nil then m = m + 1 end
if t.k7 ~= nil then m = m + 1 end
if t.k8 ~= nil then m = m + 1 end
if t.k9 ~= nil then m = m + 1 end
if t.k10 ~= nil then m = m + 1 end
if t.k11 ~= nil then m = m + 1 end
if t.k12 ~= nil then m = m + 1 end
if t.k13 ~= nil then m = m + 1 end
if t.k14 ~= nil then m = m + 1 end
if t.k15 ~= nil then m = m + 1 end
if t.k16 ~= nil then m = m + 1 end
if t.k17 ~= nil then m = m + 1 end
if t.k18 ~= nil then m = m + 1 end
if t.k19 ~= nil then m = m + 1 end
if t.k20 ~= nil then m = m + 1 end
if t.k21 ~= nil then m = m + 1 end
if t.k22 ~= nil then m = m + 1 end
if t.k23 ~= nil then m = m + 1 end
if t.k24 ~= nil then m = m + 1 end
if t.k25 ~= nil then m = m + 1 end
if t.k26 ~= nil then m = m + 1 end
if t.k27 ~= nil then m = m + 1 end
if t.k28 ~= nil then m = m + 1 end
if t.k29 ~= nil then m = m + 1 end
if t.k30 ~= nil then m = m + 1 end
if t.k31 ~= nil then m = m + 1 end
if t.k32 ~= nil then m = m + 1 end
if t.k33 ~= nil then m = m + 1 end
if t.k34 ~= nil then m = m + 1 end
if t.k35 ~= nil then m = m + 1 end
if t.k36 ~= nil then m = m + 1 end
if t.k37 ~= nil then m = m + 1 end
if t.k38 ~= nil then m = m + 1 end
if t.k39 ~= nil then m = m + 1 end
if t.k40 ~= nil then m = m + 1 end
if t.k41 ~= nil then m = m + 1 end
if t.k42 ~= nil then m = m + 1 end
if t.k43 ~= nil then m = m + 1 end
if t.k44 ~= nil then m = m + 1 end
if t.k45 ~= nil then m = m + 1 end
if t.k46 ~= nil then m = m + 1 end
if t.k47 ~= nil then m = m + 1 end
if t.k48 ~= nil then m = m + 1 end
if t.k49 ~= nil then m = m + 1 end
if t.k50 ~= nil then m = m + 1 end
if t.k51 ~= nil then m = m + 1 end
if t.k52 ~= nil then m = m + 1 end
if t.k53 ~= nil then m = m + 1 end
if t.k54 ~= nil then m = m + 1 end
if t.k55 ~= nil then m = m + 1 end
if t.k56 ~= nil then m = m + 1 end
if t.k57 ~= nil then m = m + 1 end
if t.k58 ~= nil then m = m + 1 end
if t.k59 ~= nil then m = m + 1 end
if t.k60 ~= nil then m = m + 1 end
if t.k61 ~= nil then m = m + 1 end
if t.k62 ~= nil then m = m + 1 end
if t.k63 ~= nil then m = m + 1 end
if t.k64 ~= nil then m = m + 1 end
if t.k65 ~= nil then m = m + 1 end
if t.k66 ~= nil then m = m + 1 end
if t.k67 ~= nil then m = m + 1 end
if t.k68 ~= nil then m = m + 1 end
if t.k69 ~= nil then m = m + 1 end
if t.k70 ~= nil then m = m + 1 end
if t.k71 ~= nil then m = m + 1 end
if t.k72 ~= nil then m = m + 1 end
if t.k73 ~= nil then m = m + 1 end
if t.k74 ~= nil then m = m + 1 end
if t.k75 ~= nil then m = m + 1 end
if t.k76 ~= nil then m = m + 1 end
if t.k77 ~= nil then m = m + 1 end
if t.k78 ~= nil then m = m + 1 end
if t.k79 ~= nil then m = m + 1 end
if t.k80 ~= nil then m = m + 1 end
if t.k81 ~= nil then m = m + 1 end
if t.k82 ~= nil then m = m + 1 end
if t.k83 ~= nil then m = m + 1 end
if t.k84 ~= nil then m = m + 1 end
if t.k85 ~= nil then m = m + 1 end
if t.k86 ~= nil then m = m + 1 end
if t.k87 ~= nil then m = m + 1 end
if t.k88 ~= nil then m = m + 1 end
if t.k89 ~= nil then m = m + 1 end
if t.k90 ~= nil then m = m + 1 end
if t.k91 ~= nil then m = m + 1 end
if t.k92 ~= nil then m = m + 1 end
if t.k93 ~= nil then m = m + 1 end
if t.k94 ~= nil then m = m + 1 end
if t.k95 ~= nil then m = m + 1 end
if t.k96 ~= nil then m = m + 1 end
if t.k97 ~= nil then m = m + 1 end
if t.k98 ~= nil then m = m + 1 end
if t.k99 ~= nil then m = m + 1 end
if t.k100 ~= nil then m = m + 1 end
if t.k101 ~= nil then m = m + 1 end
if t.k102 ~= nil then m = m + 1 end
if t.k103 ~= nil then m = m + 1 end
if t.k104 ~= nil then m = m + 1 end
if t.k105 ~= nil then m = m + 1 end
if t.k106 ~= nil then m = m + 1 end
if t.k107 ~= nil then m = m + 1 end
if t.k108 ~= nil then m = m + 1 end
if t.k109 ~= nil then m = m + 1 end
if t.k110 ~= nil then m = m + 1 end
if t.k111 ~= nil then m = m + 1 end
if t.k112 ~= nil then m = m + 1 end
if t.k113 ~= nil then m = m + 1 end
if t.k114 ~= nil then m = m + 1 end
if t.k115 ~= nil then m = m + 1 end
if t.k116 ~= nil then m = m + 1 end
if t.k117 ~= nil then m = m + 1 end
if t.k118 ~= nil then m = m + 1 end
if t.k119 ~= nil then m = m + 1 end
setmetatable(t, {__index = function(_, k) return 'miss:' .. k end, __newindex = function(tt, k, v) rawset(tt, k, v .. '!') end})
io_ = t.k0; t.k0 = 'again'; print(io_, t.k0)
io_ = t.k1; t.k1 = 'again'; print(io_, t.k1)
io_ = t.k2; t.k2 = 'again'; print(io_, t.k2)
io_ = t.k3; t.k3 = 'again'; print(io_, t.k3)
io_ = t.k4; t.k4 = 'again'; print(io_, t.k4)
io_ = t.k5; t.k5 = 'again'; print(io_, t.k5)
io_ = t.k6; t.k6 = 'again'; print(io_, t.k6)
io_ = t.k7; t.k7 = 'again'; print(io_, t.k7)
io_ = t.k8; t.k8 = 'again'; print(io_, t.k8)
print(n, m)
