-- quote and backslash escapes in both quote styles
print("say \"hi\"")
print('it\'s')
print("mixed 'single' inside double")
print('mixed "double" inside single')
print("back\\slash", #"\\")
print("\"" == '"', "\'" == "'")
