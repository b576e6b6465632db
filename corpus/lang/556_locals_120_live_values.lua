-- a function with 120 local variables all live at the end
local function f(seed)
  local v1 = seed + 1; local v2 = v1 + 2; local v3 = v2 + 3; local v4 = v3 + 4
  local v5 = v4 + 5; local v6 = v5 + 6; local v7 = v6 + 7; local v8 = v7 + 8
  local v9 = v8 + 9; local v10 = v9 + 10; local v11 = v10 + 11; local v12 = v11 + 12
  local v13 = v12 + 13; local v14 = v13 + 14; local v15 = v14 + 15; local v16 = v15 + 16
  local v17 = v16 + 17; local v18 = v17 + 18; local v19 = v18 + 19; local v20 = v19 + 20
  local v21 = v20 + 21; local v22 = v21 + 22; local v23 = v22 + 23; local v24 = v23 + 24
  local v25 = v24 + 25; local v26 = v25 + 26; local v27 = v26 + 27; local v28 = v27 + 28
  local v29 = v28 + 29; local v30 = v29 + 30; local v31 = v30 + 31; local v32 = v31 + 32
  local v33 = v32 + 33; local v34 = v33 + 34; local v35 = v34 + 35; local v36 = v35 + 36
  local v37 = v36 + 37; local v38 = v37 + 38; local v39 = v38 + 39; local v40 = v39 + 40
  local v41 = v40 + 41; local v42 = v41 + 42; local v43 = v42 + 43; local v44 = v43 + 44
  local v45 = v44 + 45; local v46 = v45 + 46; local v47 = v46 + 47; local v48 = v47 + 48
  local v49 = v48 + 49; local v50 = v49 + 50; local v51 = v50 + 51; local v52 = v51 + 52
  local v53 = v52 + 53; local v54 = v53 + 54; local v55 = v54 + 55; local v56 = v55 + 56
  local v57 = v56 + 57; local v58 = v57 + 58; local v59 = v58 + 59; local v60 = v59 + 60
  local v61 = v60 + 61; local v62 = v61 + 62; local v63 = v62 + 63; local v64 = v63 + 64
  local v65 = v64 + 65; local v66 = v65 + 66; local v67 = v66 + 67; local v68 = v67 + 68
  local v69 = v68 + 69; local v70 = v69 + 70; local v71 = v70 + 71; local v72 = v71 + 72
  local v73 = v72 + 73; local v74 = v73 + 74; local v75 = v74 + 75; local v76 = v75 + 76
  local v77 = v76 + 77; local v78 = v77 + 78; local v79 = v78 + 79; local v80 = v79 + 80
  local v81 = v80 + 81; local v82 = v81 + 82; local v83 = v82 + 83; local v84 = v83 + 84
  local v85 = v84 + 85; local v86 = v85 + 86; local v87 = v86 + 87; local v88 = v87 + 88
  local v89 = v88 + 89; local v90 = v89 + 90; local v91 = v90 + 91; local v92 = v91 + 92
  local v93 = v92 + 93; local v94 = v93 + 94; local v95 = v94 + 95; local v96 = v95 + 96
  local v97 = v96 + 97; local v98 = v97 + 98; local v99 = v98 + 99; local v100 = v99 + 100
  local v101 = v100 + 101; local v102 = v101 + 102; local v103 = v102 + 103; local v104 = v103 + 104
  local v105 = v104 + 105; local v106 = v105 + 106; local v107 = v106 + 107; local v108 = v107 + 108
  local v109 = v108 + 109; local v110 = v109 + 110; local v111 = v110 + 111; local v112 = v111 + 112
  local v113 = v112 + 113; local v114 = v113 + 114; local v115 = v114 + 115; local v116 = v115 + 116
  local v117 = v116 + 117; local v118 = v117 + 118; local v119 = v118 + 119; local v120 = v119 + 120
  return v1 + v60 + v120, v120 - v1, v2 * v119
end
print(f(0))
print(f(1000))
