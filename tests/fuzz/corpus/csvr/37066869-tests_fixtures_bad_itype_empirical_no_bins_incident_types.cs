id,name,priority,share,service,mean_min,sd_min,target_min
theft,盗窃,2,0.45,lognormal,38.5,12.25,15
assault,打架斗殴,1,0.2,gamma,52.75,20.5,8.5
noise,噪音扰民,3,2.385,empirical,,,30
