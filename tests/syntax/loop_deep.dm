# Loops nested deeper than PARSE_MAX_DEPTH (256): one error at the loop past the limit.
model m {
  input x : f32[2]
  h = x
for v0 in range(1) {
for v1 in range(1) {
for v2 in range(1) {
for v3 in range(1) {
for v4 in range(1) {
for v5 in range(1) {
for v6 in range(1) {
for v7 in range(1) {
for v8 in range(1) {
for v9 in range(1) {
for v10 in range(1) {
for v11 in range(1) {
for v12 in range(1) {
for v13 in range(1) {
for v14 in range(1) {
for v15 in range(1) {
for v16 in range(1) {
for v17 in range(1) {
for v18 in range(1) {
for v19 in range(1) {
for v20 in range(1) {
for v21 in range(1) {
for v22 in range(1) {
for v23 in range(1) {
for v24 in range(1) {
for v25 in range(1) {
for v26 in range(1) {
for v27 in range(1) {
for v28 in range(1) {
for v29 in range(1) {
for v30 in range(1) {
for v31 in range(1) {
for v32 in range(1) {
for v33 in range(1) {
for v34 in range(1) {
for v35 in range(1) {
for v36 in range(1) {
for v37 in range(1) {
for v38 in range(1) {
for v39 in range(1) {
for v40 in range(1) {
for v41 in range(1) {
for v42 in range(1) {
for v43 in range(1) {
for v44 in range(1) {
for v45 in range(1) {
for v46 in range(1) {
for v47 in range(1) {
for v48 in range(1) {
for v49 in range(1) {
for v50 in range(1) {
for v51 in range(1) {
for v52 in range(1) {
for v53 in range(1) {
for v54 in range(1) {
for v55 in range(1) {
for v56 in range(1) {
for v57 in range(1) {
for v58 in range(1) {
for v59 in range(1) {
for v60 in range(1) {
for v61 in range(1) {
for v62 in range(1) {
for v63 in range(1) {
for v64 in range(1) {
for v65 in range(1) {
for v66 in range(1) {
for v67 in range(1) {
for v68 in range(1) {
for v69 in range(1) {
for v70 in range(1) {
for v71 in range(1) {
for v72 in range(1) {
for v73 in range(1) {
for v74 in range(1) {
for v75 in range(1) {
for v76 in range(1) {
for v77 in range(1) {
for v78 in range(1) {
for v79 in range(1) {
for v80 in range(1) {
for v81 in range(1) {
for v82 in range(1) {
for v83 in range(1) {
for v84 in range(1) {
for v85 in range(1) {
for v86 in range(1) {
for v87 in range(1) {
for v88 in range(1) {
for v89 in range(1) {
for v90 in range(1) {
for v91 in range(1) {
for v92 in range(1) {
for v93 in range(1) {
for v94 in range(1) {
for v95 in range(1) {
for v96 in range(1) {
for v97 in range(1) {
for v98 in range(1) {
for v99 in range(1) {
for v100 in range(1) {
for v101 in range(1) {
for v102 in range(1) {
for v103 in range(1) {
for v104 in range(1) {
for v105 in range(1) {
for v106 in range(1) {
for v107 in range(1) {
for v108 in range(1) {
for v109 in range(1) {
for v110 in range(1) {
for v111 in range(1) {
for v112 in range(1) {
for v113 in range(1) {
for v114 in range(1) {
for v115 in range(1) {
for v116 in range(1) {
for v117 in range(1) {
for v118 in range(1) {
for v119 in range(1) {
for v120 in range(1) {
for v121 in range(1) {
for v122 in range(1) {
for v123 in range(1) {
for v124 in range(1) {
for v125 in range(1) {
for v126 in range(1) {
for v127 in range(1) {
for v128 in range(1) {
for v129 in range(1) {
for v130 in range(1) {
for v131 in range(1) {
for v132 in range(1) {
for v133 in range(1) {
for v134 in range(1) {
for v135 in range(1) {
for v136 in range(1) {
for v137 in range(1) {
for v138 in range(1) {
for v139 in range(1) {
for v140 in range(1) {
for v141 in range(1) {
for v142 in range(1) {
for v143 in range(1) {
for v144 in range(1) {
for v145 in range(1) {
for v146 in range(1) {
for v147 in range(1) {
for v148 in range(1) {
for v149 in range(1) {
for v150 in range(1) {
for v151 in range(1) {
for v152 in range(1) {
for v153 in range(1) {
for v154 in range(1) {
for v155 in range(1) {
for v156 in range(1) {
for v157 in range(1) {
for v158 in range(1) {
for v159 in range(1) {
for v160 in range(1) {
for v161 in range(1) {
for v162 in range(1) {
for v163 in range(1) {
for v164 in range(1) {
for v165 in range(1) {
for v166 in range(1) {
for v167 in range(1) {
for v168 in range(1) {
for v169 in range(1) {
for v170 in range(1) {
for v171 in range(1) {
for v172 in range(1) {
for v173 in range(1) {
for v174 in range(1) {
for v175 in range(1) {
for v176 in range(1) {
for v177 in range(1) {
for v178 in range(1) {
for v179 in range(1) {
for v180 in range(1) {
for v181 in range(1) {
for v182 in range(1) {
for v183 in range(1) {
for v184 in range(1) {
for v185 in range(1) {
for v186 in range(1) {
for v187 in range(1) {
for v188 in range(1) {
for v189 in range(1) {
for v190 in range(1) {
for v191 in range(1) {
for v192 in range(1) {
for v193 in range(1) {
for v194 in range(1) {
for v195 in range(1) {
for v196 in range(1) {
for v197 in range(1) {
for v198 in range(1) {
for v199 in range(1) {
for v200 in range(1) {
for v201 in range(1) {
for v202 in range(1) {
for v203 in range(1) {
for v204 in range(1) {
for v205 in range(1) {
for v206 in range(1) {
for v207 in range(1) {
for v208 in range(1) {
for v209 in range(1) {
for v210 in range(1) {
for v211 in range(1) {
for v212 in range(1) {
for v213 in range(1) {
for v214 in range(1) {
for v215 in range(1) {
for v216 in range(1) {
for v217 in range(1) {
for v218 in range(1) {
for v219 in range(1) {
for v220 in range(1) {
for v221 in range(1) {
for v222 in range(1) {
for v223 in range(1) {
for v224 in range(1) {
for v225 in range(1) {
for v226 in range(1) {
for v227 in range(1) {
for v228 in range(1) {
for v229 in range(1) {
for v230 in range(1) {
for v231 in range(1) {
for v232 in range(1) {
for v233 in range(1) {
for v234 in range(1) {
for v235 in range(1) {
for v236 in range(1) {
for v237 in range(1) {
for v238 in range(1) {
for v239 in range(1) {
for v240 in range(1) {
for v241 in range(1) {
for v242 in range(1) {
for v243 in range(1) {
for v244 in range(1) {
for v245 in range(1) {
for v246 in range(1) {
for v247 in range(1) {
for v248 in range(1) {
for v249 in range(1) {
for v250 in range(1) {
for v251 in range(1) {
for v252 in range(1) {
for v253 in range(1) {
for v254 in range(1) {
for v255 in range(1) {
for v256 in range(1) {
for v257 in range(1) {
for v258 in range(1) {
for v259 in range(1) {
for v260 in range(1) {
for v261 in range(1) {
for v262 in range(1) {
for v263 in range(1) {
for v264 in range(1) {
for v265 in range(1) {
for v266 in range(1) {
for v267 in range(1) {
for v268 in range(1) {
for v269 in range(1) {
for v270 in range(1) {
for v271 in range(1) {
for v272 in range(1) {
for v273 in range(1) {
for v274 in range(1) {
for v275 in range(1) {
for v276 in range(1) {
for v277 in range(1) {
for v278 in range(1) {
for v279 in range(1) {
for v280 in range(1) {
for v281 in range(1) {
for v282 in range(1) {
for v283 in range(1) {
for v284 in range(1) {
for v285 in range(1) {
for v286 in range(1) {
for v287 in range(1) {
for v288 in range(1) {
for v289 in range(1) {
for v290 in range(1) {
for v291 in range(1) {
for v292 in range(1) {
for v293 in range(1) {
for v294 in range(1) {
for v295 in range(1) {
for v296 in range(1) {
for v297 in range(1) {
for v298 in range(1) {
for v299 in range(1) {
h = h * 2
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
  output y = h
}
