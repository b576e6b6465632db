local t = ngx.arg[1]
if t == nil or t == "" then
    return "public"
end
return t:lower()
